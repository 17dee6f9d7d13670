"""Something went wrong for the customer (a complaint, a parcel that came broken): the persona says sorry before
the answer or the hand-off, as a person at the shop would (sandbox, 2026-12-04: "我要投诉 你们快递太慢了" got only
"这会儿是休息时间…"); other hand-offs ("我要退款") are not apologised for."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from tests.community_kit import start_bot
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("n, said", list(enumerate(["我要投诉 你们快递太慢了 等了一个礼拜", "收到的面霜瓶子是碎的",
                                                        "我上周买的保湿霜 收到的时候盖子是裂的"])))
async def test_a_complaint_or_a_broken_parcel_is_apologised_for_before_the_hand_off(wanzi, wecom, clock,
                                                                                      n, said) -> None:
    replies = await told(wanzi, wecom, clock, f"wmSo0{n}", said)
    keys = [key for key, _ in replies]
    assert keys[0] in ("escalation.sorry", "escalation.sorry_photo"), replies
    assert keys[-1].startswith("escalation.") and len(keys) >= 2, replies
    # goods that came broken: a photo of them and the parcel is asked for at once, so whoever takes the chat (in
    # WeCom's pool the persona can say nothing more) can act; a complaint about slow delivery is no photo's matter
    broken = n > 0
    assert (keys[0] == "escalation.sorry_photo") == broken and ("照片" in replies[0][1]) == broken, replies


async def test_an_operator_can_ask_for_no_photos(db_url, wecom, clock) -> None:
    bot = await start_bot(db_url, wecom, clock, escalation={"photo_topics": []})
    try:
        replies = await told(bot, wecom, clock, "wmSo30", "收到的面霜瓶子是碎的")
        assert replies[:1] and replies[0][0] == "escalation.sorry" and "照片" not in replies[0][1], replies
    finally:
        await bot.stop()


async def test_a_refund_is_not_apologised_for(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSo10", "不喜欢的话可以退货吗")
    assert "escalation.sorry" not in [key for key, _ in replies], replies


async def test_an_operator_can_leave_complaints_out_of_the_apologies(db_url, wecom, clock) -> None:
    bot = await start_bot(db_url, wecom, clock, escalation={"apology_topics": []})
    try:
        replies = await told(bot, wecom, clock, "wmSo20", "我要投诉 你们快递太慢了 等了一个礼拜")
        assert replies and "escalation.sorry" not in [key for key, _ in replies], replies
    finally:
        await bot.stop()
