"""Points and levels: "我的积分", staff adjustments with audit, idempotent awards, level-up messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.errors import CommandError
from handlers.points.service import adjust_points, award, points_history
from storage.models import AuditLog, PointsEntry
from tests.community_kit import at, service, start_bot

LEVELS = {"levels": [{"name": "柚芽", "min": 0, "rights": "生日祝福"},
                     {"name": "柚苗", "min": 100, "rights": "新品试用优先"},
                     {"name": "金柚", "min": 500, "rights": "专属顾问"}]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, points=LEVELS)
    yield bot
    await bot.stop()


async def friend_with_points(bot, wecom, ext: str, points: int) -> None:
    """A kf customer who said hello and earned `points` with a first order."""
    await wecom.customer_says(ext, "你好")
    await bot.drain()
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find(ext)
        assert customer is not None
        await award(ctx, customer, points, reason="首单", source="order", ref=f"order:{ext}")


async def test_my_points_shows_balance_level_rights_and_the_next_level(bot, wecom) -> None:
    await friend_with_points(bot, wecom, "wmPts0001", 130)
    await wecom.customer_says("wmPts0001", "我的积分")
    await bot.drain()
    answer = wecom.customer_inbox("wmPts0001")[-1]
    assert "130" in answer and "柚苗" in answer and "新品试用优先" in answer
    assert "金柚" in answer and "370" in answer  # next level and what it needs


@pytest.mark.parametrize("words", ["我现在有多少积分", "积分还有多少呀", "帮我查下积分", "我积了多少分",
                                   "我现在攒了多少积分了", "俺有多少积分", "积份还有多少"])
async def test_the_balance_asked_in_the_customers_own_words(bot, wecom, words: str) -> None:
    await friend_with_points(bot, wecom, "wmPts0009", 130)
    await wecom.customer_says("wmPts0009", words)
    await bot.drain()
    answer = wecom.customer_inbox("wmPts0009")[-1]
    assert "130" in answer and "柚苗" in answer  # the balance and level, not the membership FAQ


@pytest.mark.parametrize("words", ["我是什么会员啊", "我是啥等级", "我现在什么级别", "我的会员等级是啥", "还差多少升级",
                                   "离下一级还差多少分", "差多少到金柚", "我现在是金柚了吗", "我升级了吗",
                                   "差几分升金柚", "我是会员吗", "我是vip吗"])
async def test_the_customers_own_level_asked_in_own_words_is_their_standing(bot, wecom, words: str) -> None:
    """The sandbox of 2026-12-05: "我是啥等级" got a promise to ask a colleague, "还差多少升级" the membership FAQ."""
    await friend_with_points(bot, wecom, "wmPts0010", 130)
    await wecom.customer_says("wmPts0010", words)
    await bot.drain()
    answer = wecom.customer_inbox("wmPts0010")[-1]
    assert "柚苗" in answer and "370" in answer and "同事" not in answer, answer


@pytest.mark.parametrize("words", ["积分会过期吗", "积分年底清零不"])
async def test_points_that_never_lapse_are_said_to_never_lapse(bot, wecom, words: str) -> None:
    await friend_with_points(bot, wecom, "wmPts0011", 130)
    await wecom.customer_says("wmPts0011", words)
    await bot.drain()
    answer = wecom.customer_inbox("wmPts0011")[-1]
    assert "不会过期" in answer and "130" in answer, answer


async def test_the_same_award_reference_books_points_once(bot, wecom) -> None:
    await wecom.customer_says("wmPts0002", "你好")
    await bot.drain()
    for _ in range(2):
        async with service(bot) as ctx:
            customer = await ctx.repos.customers.find("wmPts0002")
            assert customer is not None
            await award(ctx, customer, 10, reason="打卡", source="checkin", ref="checkin:99")
    assert await bot.count(PointsEntry) == 1


async def test_staff_adjustments_are_audited_and_a_new_level_is_announced(bot, wecom) -> None:
    await wecom.customer_says("wmPts0003", "你好")
    await bot.drain()
    async with service(bot) as ctx:
        result = await adjust_points(ctx, "wmPts0003", 120, reason="线下活动奖励", actor="li.na")
    assert result.after.balance == 120 and result.leveled_up
    async with service(bot) as ctx:
        result = await adjust_points(ctx, "wmPts0003", -30, reason="误发更正", actor="li.na")
    assert result.after.level is not None
    assert result.after.balance == 90 and result.after.level.name == "柚芽"
    await bot.drain()
    inbox = wecom.customer_inbox("wmPts0003")
    assert sum("柚苗" in t for t in inbox) == 1  # one level-up message, none for the correction
    async with bot.sessions() as s:
        audits = list((await s.scalars(select(AuditLog).where(AuditLog.action == "points_adjust")
                                        .order_by(AuditLog.id))).all())
        entries = list((await s.scalars(select(PointsEntry).order_by(PointsEntry.id))).all())
    assert [(a.actor, a.detail["delta"], a.detail["reason"]) for a in audits] == [
        ("li.na", 120, "线下活动奖励"), ("li.na", -30, "误发更正")]
    assert [(e.delta, e.source) for e in entries] == [(120, "staff:li.na"), (-30, "staff:li.na")]
    async with service(bot) as ctx:
        current, history = await points_history(ctx, "wmPts0003")
    assert current.balance == 90 and [e.delta for e in history] == [-30, 120]


@pytest.mark.parametrize("ext,delta,reason", [("wmNobody", 5, "x"), ("wmPts0004", 0, "x"), ("wmPts0004", 5, " ")])
async def test_bad_adjustments_are_refused_with_a_reason(bot, wecom, ext, delta, reason) -> None:
    await wecom.customer_says("wmPts0004", "你好")
    await bot.drain()
    with pytest.raises(CommandError):
        async with service(bot) as ctx:
            await adjust_points(ctx, ext, delta, reason=reason, actor="li.na")
    assert await bot.count(PointsEntry) == 0


async def test_a_deduction_beyond_the_balance_is_refused_and_books_nothing(bot, wecom) -> None:
    """The sandbox of 2026-12-05: "/points 罗涛 -500 扣错了" on 50 points left the customer at -450."""
    await friend_with_points(bot, wecom, "wmPts0012", 50)
    with pytest.raises(CommandError, match="现有 50 分，最多只能扣 50 分"):
        async with service(bot) as ctx:
            await adjust_points(ctx, "wmPts0012", -500, reason="扣错了", actor="li.na")
    async with service(bot) as ctx:
        result = await adjust_points(ctx, "wmPts0012", -50, reason="误发更正", actor="li.na")
    assert result.after.balance == 0 and await bot.count(PointsEntry) == 2


async def test_the_standing_asked_twice_in_a_row_is_not_said_word_for_word_again(bot, wecom) -> None:
    """The sandbox of 2026-12-05: five questions about a top-level standing got the very same sentence."""
    await friend_with_points(bot, wecom, "wmPts0013", 600)
    answers = []
    for words in ("我的积分", "我是啥等级"):
        await wecom.customer_says("wmPts0013", words)
        await bot.drain()
        answers.append(wecom.customer_inbox("wmPts0013")[-1])
    assert all("600" in a and "金柚" in a for a in answers) and answers[0] != answers[1], answers


@pytest.mark.parametrize("words", ["积分咋用", "积分有什么用", "积分能抵现吗"])
async def test_a_member_asking_what_points_are_for_gets_the_rule_and_their_own_balance(bot, wecom, words) -> None:
    """Sandbox (conv28): a member's "积分咋用" got the FAQ's general answer and not a word of their 130 points."""
    await friend_with_points(bot, wecom, "wmPts0014", 130)
    before = len(wecom.customer_inbox("wmPts0014"))
    await wecom.customer_says("wmPts0014", words)
    await bot.drain()
    rule, theirs = wecom.customer_inbox("wmPts0014")[before:]
    assert "1000 分换一张 10 元无门槛券" in rule, rule  # the knowledge base's answer
    assert "130" in theirs and "柚苗" in theirs, theirs


async def test_a_customer_with_no_points_asking_what_points_are_for_gets_the_rule_alone(bot, wecom) -> None:
    await wecom.customer_says("wmPts0015", "你好")
    await bot.drain()
    before = len(wecom.customer_inbox("wmPts0015"))
    await wecom.customer_says("wmPts0015", "积分咋用")
    await bot.drain()
    (rule,) = wecom.customer_inbox("wmPts0015")[before:]
    assert "1000 分换一张 10 元无门槛券" in rule and "柚苗" not in rule, rule
