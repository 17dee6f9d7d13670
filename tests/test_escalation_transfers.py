"""What the customer is told about a hand-over is true: "张伟 is coming" only once WeCom accepted
the transfer; a refused transfer is reported to staff at once, in words, and the chat still reaches
a person; advisors who are not servicers of the kf account are caught before anyone asks."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import create_app
from bot.cli import main
from tests import escalation_kit as kit
from tests.waiting import wait_until

KF = "wkWanziDemoKf01"


clock, bot = kit.clock, kit.bot_fixture(no_advisor="wecom_pool")  # fixtures: Monday 10:00, the bot


async def test_the_customer_hears_who_is_coming_only_with_the_code_of_the_accepted_transfer(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmHand001", "我要退款")
    await bot.drain()
    (trans,) = wecom.calls("kf/service_state/trans")
    assert (trans.body["service_state"], trans.body["servicer_userid"], trans.errcode) == (3, "li.na", 0)
    (handoff,) = wecom.calls("kf/send_msg_on_event")
    assert handoff.body["code"] == trans.response["msg_code"] and handoff.index > trans.index
    assert "李娜" in handoff.body["text"]["content"]
    assert all("李娜" not in c.body["text"]["content"] for c in wecom.calls("kf/send_msg"))


async def test_a_refused_transfer_is_reported_at_once_and_the_chat_goes_to_the_pool(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.servicer_status("li.na", receiving=False)  # WeCom answers 95019 for a transfer to her
    await bot.drain()
    await wecom.customer_says("wmHand002", "我要退款")
    await bot.drain()  # no ticket watch needed: the refusal is handled when WeCom answers

    assert all("李娜" not in text for text in wecom.customer_inbox("wmHand002"))
    notice = wecom.staff_inbox("li.na")[-1]
    assert "kf/service_state/trans" in notice and "95019" in notice and "接待" in notice
    assert [c.body["service_state"] for c in wecom.calls("kf/service_state/trans")] == [3, 2]
    assert wecom.kf_session("wmHand002").state == 2
    assert "这里" in wecom.customer_inbox("wmHand002")[-1]
    card = wecom.staff_inbox("zhang.wei")[-1]
    assert "#1" in card and "95019" in card
    # 2026-12-06 tour: the member was named by userid alone ("没能转给 li.na"); staff read 李娜（li.na） everywhere
    assert "没能转给 李娜（li.na）：" in card and "李娜（li.na） 当前没有在接待" in card, card
    assert "李娜（li.na） 当前没有在接待" in notice, notice
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid, ticket.kf_servicer) == ("pooled", "", "")

    await kit.watch(bot)  # the minute watch does not report it a second time, nor retry her
    assert len(wecom.calls("kf/service_state/trans")) == 2
    assert sum("95019" in text for text in wecom.staff_inbox("li.na")) == 1


async def test_an_advisor_who_is_not_a_servicer_is_named_with_the_errcode(bot, wecom) -> None:
    await kit.on_duty(bot, "chen.jing")  # on duty in Wanzi, but not a servicer of the kf account
    await wecom.customer_says("wmHand003", "转人工")
    await bot.drain()
    (notice,) = [t for t in wecom.staff_inbox("chen.jing") if "没能转给你" in t]
    assert "95014" in notice and "kf/service_state/trans" in notice and "接待人员" in notice
    assert "陈静（chen.jing） 不是客服账号" in notice, notice
    assert wecom.kf_session("wmHand003").state == 2


async def test_in_queue_mode_a_refused_transfer_leaves_the_ticket_waiting_for_someone_else(
        db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock, no_advisor="queue")
    try:
        await kit.on_duty(bot, "chen.jing")
        await wecom.customer_says("wmHand004", "转人工")
        await bot.drain()
        (notice,) = [t for t in wecom.staff_inbox("chen.jing") if "没能转给你" in t]
        assert "95014" in notice and "排队" in notice
        (ticket,) = await kit.tickets(bot)
        assert ticket.status == "queued"
        assert wecom.kf_session("wmHand004").state == 0
        await kit.on_duty(bot, "li.na")
        await kit.watch(bot)
        assert wecom.kf_session("wmHand004").servicer_userid == "li.na"
        assert [c.errcode for c in wecom.calls("kf/service_state/trans")] == [95014, 0]
    finally:
        await bot.stop()


async def test_start_up_warns_about_an_advisor_who_is_not_a_servicer(db_url, wecom, clock,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    from aiohttp import web

    config = kit.config(db_url, wecom.base_url)  # advisors li.na and wang.fang; chen.jing is an operator
    config = config.replace(staff={"advisors": ("li.na", "wang.fang", "chen.jing")})
    app = create_app(config, clock=clock)  # with its workers, as `wanzi serve` runs
    runner = web.AppRunner(app)
    with caplog.at_level(logging.WARNING):
        await runner.setup()
        try:
            found = await wait_until(lambda: [r for r in caplog.records if "not a servicer" in r.getMessage()],
                                     timeout=20.0)  # start-up also loads the model
        finally:
            await runner.cleanup()
    (record,) = found
    assert record.__dict__["userid"] == "chen.jing" and record.__dict__["open_kfid"] == KF


def write_config(tmp_path: Path, api_base: str) -> Path:
    from tests.harness import AES_KEY, AGENT_ID, CORP_ID, TOKEN

    path = tmp_path / "config.toml"
    path.write_text(f"""
[wecom]
corp_id = "{CORP_ID}"
token = "{TOKEN}"
encoding_aes_key = "{AES_KEY}"
agent_id = {AGENT_ID}
app_secret = "AppSecretDemoWanzi0000000000000000000000001"
kf_secret = "KfSecretDemoWanzi00000000000000000000000003"
api_base = "{api_base}"
open_kfid = "{KF}"
[database]
url = "sqlite+aiosqlite:///{tmp_path}/check.db"
[staff]
advisors = ["li.na", "chen.jing"]
""")
    return path


async def test_config_check_asks_wecom_who_the_servicers_are(tmp_path: Path, wecom,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert await asyncio.to_thread(main, ["config", "check", "--config", str(write_config(tmp_path,
                                                                                          wecom.base_url))]) == 0
    out = capsys.readouterr()
    assert "chen.jing" in out.err and KF in out.err and "95014" in out.err
    assert "li.na" not in out.err
    assert [c.api for c in wecom.calls("kf/servicer/list")] == ["kf/servicer/list"]


async def test_config_check_offline_says_it_could_not_check(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from tests.processes import free_port

    path = write_config(tmp_path, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert await asyncio.to_thread(main, ["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr()
    assert "could not check" in out.err and "kf/servicer/list" in out.err
    assert "config ok" in out.out


async def test_a_claim_whose_chat_wecom_refuses_is_no_first_response(bot, wecom) -> None:
    await wecom.customer_says("wmHand005", "转人工")  # nobody on duty: the reception pool
    await bot.drain()
    await wecom.staff_sends("chen.jing", "/claim 1")  # an operator, but not a servicer of the kf account
    await bot.drain()
    (notice,) = [t for t in wecom.staff_inbox("chen.jing") if "没能转给你" in t]
    assert "95014" in notice and "待接入池" in notice
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid, ticket.first_response_at) == ("pooled", "", None)
    assert wecom.kf_session("wmHand005").state == 2
    await wecom.servicer_picks_up("wmHand005", "li.na")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.advisor_userid, ticket.status) == ("li.na", "assigned") and ticket.first_response_at
