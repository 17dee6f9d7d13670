"""A customer deciding to buy is wished well, not chatted at; "不行再退" on the way gets the shop's returns
policy from the knowledge base, never one made up (sandbox, 2026-12-04: "好吧 那我先下单试试 不行再退" got
"想聊什么都可以")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY_10AM)


DECISIONS = ["那我下单了", "行 我先买一瓶试试", "好的 那就买这个了", "我去拍了"]


@pytest.mark.parametrize("n, said", list(enumerate(DECISIONS)))
async def test_a_decision_to_buy_gets_good_wishes(wanzi, wecom, clock, n, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, f"wmBy0{n}", said)
    assert reply[0] == "chat.buying", reply


async def test_returning_if_it_does_not_work_out_gets_the_returns_entry_with_the_wishes(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmBy10", "好吧 那我先下单试试 不行再退")
    assert reply[0] == "chat.buying_returns" and "7 天内" in reply[1], reply


NO_RETURNS = '[[faq]]\nq = ["多久发货", "什么时候发货"]\na = "现货 48 小时内发出。"\n'


async def test_with_no_returns_entry_no_policy_is_made_up(db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, NO_RETURNS) as bot:
        (reply,) = await told(bot, wecom, clock, "wmBy20", "那我先下单试试 不合适就退")
        assert reply[0] == "chat.buying" and "天" not in reply[1], reply


@pytest.mark.parametrize("n, said", list(enumerate(["我买了你们的面霜 挺好用的", "我先看看"])))
async def test_no_decision_now_gets_no_wishes(wanzi, wecom, clock, n, said) -> None:
    replies = await told(wanzi, wecom, clock, f"wmBy3{n}", said)
    assert replies and all(key not in ("chat.buying", "chat.buying_returns") for key, _ in replies), replies
