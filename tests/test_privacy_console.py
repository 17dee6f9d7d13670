"""The customer page's 导出 JSON and 删除并匿名化: admins only (others get 403, audited), a download
and a confirmation form, each audited with who did it and the internal customer id."""

from __future__ import annotations

import json

from tests import escalation_kit as kit
from tests import privacy_kit as pk
from tests.console_kit import ConsoleClient
from tests.privacy_kit import audit

clock, bot = kit.clock, pk.bot  # fixtures: Monday 10:00, the bot with the erased-to-be customer


async def test_an_admin_exports_and_erases_a_customer_from_their_page(bot, wecom, clock) -> None:
    customer = await pk.customer_row(bot, pk.ERASED)
    assert customer is not None
    page_path = f"/console/customers/{customer.id}"
    admin = await ConsoleClient.login(bot.url, user="zhang.wei")
    try:
        status, page = await admin.get(page_path)
        assert status == 200
        assert f'href="{page_path}/export"' in page and f'href="{page_path}/erase"' in page
        assert "导出 JSON" in page and "删除并匿名化" in page
        async with admin.http.get(f"{bot.url}{page_path}/export") as r:
            assert r.status == 200 and r.content_type == "application/json"
            assert r.headers["Content-Disposition"] == f'attachment; filename="customer-{customer.id}.json"'
            data = json.loads(await r.text())
        assert data["profile"]["external_userid"] == pk.ERASED
        assert pk.QUESTION in [m["text"] for m in data["messages"]]
        assert await audit(bot, "customer.exported") == [("console:zhang.wei", f"customer:{customer.id}")]

        status, form = await admin.get(f"{page_path}/erase")
        assert status == 200 and pk.NAME in form and 'name="confirm"' in form and "不可恢复" in form
        status, back, _ = await admin.post(f"{page_path}/erase", {})  # the box left unticked
        assert status == 303 and back == f"{page_path}/erase"
        assert await pk.customer_row(bot, pk.ERASED) is not None
        status, back, _ = await admin.post(f"{page_path}/erase", {"confirm": "yes"})
        assert status == 303 and back == "/console/customers"
        status, listing = await admin.get("/console/customers")
        assert f"客户 #{customer.id} 的数据已删除并匿名化" in listing and pk.NAME not in listing
        assert await pk.customer_row(bot, pk.ERASED) is None
        assert (await admin.get(page_path))[0] == 404
        assert await audit(bot, "customer.erased") == [("console:zhang.wei", f"customer:{customer.id}")]
        assert await pk.traces(bot, pk.ERASED, pk.NAME, pk.REMARK, pk.SECRET) == []
    finally:
        await admin.close()


async def test_an_operator_gets_403_for_export_and_erase_and_sees_no_buttons(bot, wecom, clock) -> None:
    customer = await pk.customer_row(bot, pk.ERASED)
    assert customer is not None
    page_path = f"/console/customers/{customer.id}"
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        status, page = await operator.get(page_path)
        assert status == 200 and pk.NAME in page  # the operator may read the customer ...
        assert "/export" not in page and "/erase" not in page  # ... but is offered neither action
        assert (await operator.get(f"{page_path}/export"))[0] == 403
        assert (await operator.get(f"{page_path}/erase"))[0] == 403
        status, _, _ = await operator.post(f"{page_path}/erase", {"confirm": "yes"})
        assert status == 403
    finally:
        await operator.close()
    assert await pk.customer_row(bot, pk.ERASED) is not None
    denied = [target for _, target in await audit(bot, "console_denied")]
    assert denied == [f"{page_path}/export", f"{page_path}/erase", f"{page_path}/erase"]
    assert await audit(bot, "customer.exported") == [] and await audit(bot, "customer.erased") == []
    (view,) = await audit(bot, "console_view_customer")  # the detail view itself is audited
    assert view == ("console:chen.jing", pk.ERASED)
