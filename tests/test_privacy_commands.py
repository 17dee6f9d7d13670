"""/erase and /export from the WeCom app: admins only, and an erasure only after its confirmation,
within commands.confirm_minutes."""

from __future__ import annotations

from tests import escalation_kit as kit
from tests import privacy_kit as pk
from tests.privacy_kit import audit

clock, bot = kit.clock, pk.bot  # fixtures: Monday 10:00, the bot with the erased-to-be customer


async def test_only_an_admin_may_erase_and_only_after_confirming_in_time(bot, wecom, clock) -> None:
    for userid in ("chen.jing", "li.na"):  # an operator, an advisor
        for line in (f"/erase {pk.NAME}", "/erase confirm", f"/export {pk.NAME}"):
            reply = await pk.staff_says(bot, wecom, userid, line)
            assert "管理员" in reply and pk.NAME not in reply, reply
    assert [target for _, target in await audit(bot, "command_denied")] == ["/erase", "/erase", "/export"] * 2

    assert "没有待确认的删除" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    proposal = await pk.staff_says(bot, wecom, "zhang.wei", f"/erase {pk.NAME}")
    assert pk.ERASED in proposal and "消息 " in proposal and "10 分钟内回复 /erase confirm" in proposal
    clock.advance(11 * 60)  # too late: the proposal expired
    assert "没有待确认的删除" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    await pk.staff_says(bot, wecom, "zhang.wei", f"/erase {pk.ERASED}")
    assert "已取消" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase cancel")
    assert "没有待确认的删除" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    await pk.staff_says(bot, wecom, "chen.jing", f"/erase {pk.NAME}")  # refused: it proposes nothing
    assert "没有待确认的删除" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    customer = await pk.customer_row(bot, pk.ERASED)
    assert customer is not None and await audit(bot, "customer.erased") == []

    await pk.staff_says(bot, wecom, "zhang.wei", f"/erase {pk.NAME}")
    done = await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    assert f"#{customer.id}" in done and "已删除并匿名化" in done
    assert await pk.customer_row(bot, pk.ERASED) is None
    assert await audit(bot, "customer.erased") == [("zhang.wei", f"customer:{customer.id}")]
    assert await pk.traces(bot, pk.ERASED, pk.NAME, pk.REMARK, pk.SECRET) == []
    assert "没有待确认的删除" in await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")  # used up


async def test_export_in_the_app_is_a_summary_with_where_to_get_the_file(bot, wecom, clock) -> None:
    customer = await pk.customer_row(bot, pk.ERASED)
    assert customer is not None
    reply = await pk.staff_says(bot, wecom, "zhang.wei", f"/export {pk.NAME}")
    assert "消息 " in reply and f"/console/customers/{customer.id}" in reply
    assert "发送记录 " in reply and "推送 " not in reply  # replies are in the send log too, not only pushes
    assert f"wanzi customer export {pk.ERASED}" in reply and pk.QUESTION not in reply
    assert len(reply.encode()) <= 2048
    assert await audit(bot, "customer.exported") == [("zhang.wei", f"customer:{customer.id}")]
