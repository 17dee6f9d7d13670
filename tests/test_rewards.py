"""Points that buy things: the catalogue by balance, level and stock, redemption only after "确认兑换",
points and stock taken together and never below zero (also when two confirmations race, on SQLite
and PostgreSQL), staff told to ship, /redeem list|done, and the customer told when it ships."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot.appkeys import CONTEXTS
from handlers.points.rewards import confirm_redemption
from handlers.points.service import award
from storage.models import Customer, PointsEntry, Redemption, Reward, Suggestion
from storage.repos import PointsRepo
from tests.community_kit import at, service, start_bot
from tests.service_kit import say

POINTS = {"levels": [{"name": "柚芽", "min": 0}, {"name": "金柚", "min": 1000}],
          "rewards": [{"key": "kit", "name": "柚子小样礼包", "cost": 300, "stock": 5},
                      {"key": "coupon", "name": "10元无门槛券", "cost": 1000, "stock": 1, "ships": False},
                      {"key": "cream", "name": "柚子面霜正装", "cost": 200, "stock": 3, "min_level": "金柚"}]}
STAFF = {"admins": ["zhang.wei"], "operators": ["li.na"], "names": ["li.na=李娜", "zhang.wei=张伟"]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, points=POINTS, staff=STAFF)
    yield bot
    await bot.stop()


async def give(bot: Any, wecom: Any, ext: str, points: int) -> None:
    await wecom.customer_says(ext, "你好")
    await bot.drain()
    async with service(bot) as ctx:
        await award(ctx, await found(ctx, ext), points, reason="测试", source="staff:test")


async def chat(bot: Any, wecom: Any, ext: str, text: str) -> str:
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    answers = wecom.customer_inbox(ext)[before:]
    assert len(answers) == 1, answers
    return str(answers[0])


async def balance(bot: Any, ext: str) -> int:
    async with service(bot) as ctx:
        return await PointsRepo(ctx.session).balance((await found(ctx, ext)).id)


async def suggestions(bot: Any) -> list[str]:
    """What /suggestions would list: the customers' messages kept as product ideas."""
    async with bot.sessions() as s:
        return list(await s.scalars(select(Suggestion.text)))


async def stock(bot: Any, key: str) -> int:
    async with bot.sessions() as s:
        return int(await s.scalar(select(Reward.stock).where(Reward.key == key)))


async def test_the_catalogue_lists_only_what_the_customer_can_afford(bot, wecom) -> None:
    await give(bot, wecom, "wmRw1", 500)
    answer = await chat(bot, wecom, "wmRw1", "积分兑换")
    assert "500" in answer and "柚子小样礼包" in answer
    assert "10元无门槛券" not in answer  # 1000 points
    assert "柚子面霜正装" not in answer  # affordable, but for 金柚 only


async def test_redeeming_asks_first_and_takes_points_and_stock_only_when_confirmed(bot, wecom) -> None:
    await give(bot, wecom, "wmRw2", 500)
    answer = await chat(bot, wecom, "wmRw2", "兑换 柚子小样礼包")
    assert "确认兑换" in answer and "200" in answer  # what would be left
    assert await balance(bot, "wmRw2") == 500 and await stock(bot, "kit") == 5
    answer = await chat(bot, wecom, "wmRw2", "确认兑换")
    assert "兑换成功" in answer and "200" in answer
    assert await balance(bot, "wmRw2") == 200 and await stock(bot, "kit") == 4
    for member in ("zhang.wei", "li.na"):  # told at once; the kit ships, so its address is being asked
        assert any("【积分兑换 #" in text and "收货地址" in text for text in wecom.staff_inbox(member))
    assert "没有待确认" in await chat(bot, wecom, "wmRw2", "确认兑换")  # no second debit
    assert await balance(bot, "wmRw2") == 200
    assert await suggestions(bot) == []  # spending points is no product idea for /suggestions (tour 2026-12-06)


async def test_a_cancelled_or_lapsed_request_takes_nothing(bot, wecom, clock) -> None:
    await give(bot, wecom, "wmRw3", 500)
    await chat(bot, wecom, "wmRw3", "兑换 小样")  # a unique part of the name is enough
    assert "已取消" in await chat(bot, wecom, "wmRw3", "取消兑换")
    await chat(bot, wecom, "wmRw3", "兑换 柚子小样礼包")
    clock.advance(31 * 60)
    assert "没有待确认" in await chat(bot, wecom, "wmRw3", "确认兑换")
    assert await balance(bot, "wmRw3") == 500 and await stock(bot, "kit") == 5


@pytest.mark.parametrize("text,expect", [("兑换 10元无门槛券", "还差 700 分"), ("兑换 柚子面霜正装", "金柚"),
                                         ("兑换 月亮", "没找到")])
async def test_what_cannot_be_redeemed_says_why(bot, wecom, text, expect) -> None:
    await give(bot, wecom, "wmRw4", 300)
    assert expect in await chat(bot, wecom, "wmRw4", text)
    assert await bot.count(Redemption) == 0


async def test_two_confirmations_racing_never_overdraw_the_balance(bot, wecom) -> None:
    """Two requests of 300 each awaiting confirmation with 500 points: one wins, the other is refused."""
    await give(bot, wecom, "wmRw5", 500)
    async with service(bot) as ctx:
        customer = await found(ctx, "wmRw5")
        reward = await ctx.session.scalar(select(Reward).where(Reward.key == "kit"))
        assert reward is not None
        for _ in range(2):
            ctx.session.add(Redemption(customer_id=customer.id, reward_id=reward.id, cost=300, status="awaiting",
                                       open_kfid="", created_at=ctx.clock.now(),
                                       expires_at=ctx.clock.now().replace(year=2027), shipped_by=""))

    async def confirm() -> str:
        async with bot.sessions.begin() as session:
            ctx = bot.app[CONTEXTS](session)
            return (await confirm_redemption(ctx, await found(ctx, "wmRw5"))).key

    outcomes = sorted(await asyncio.gather(confirm(), confirm()))
    assert outcomes == ["points.redeem_done_ship", "points.redeem_short"]  # the kit ships: its address is asked
    assert await balance(bot, "wmRw5") == 200 and await stock(bot, "kit") == 4


async def test_two_customers_racing_for_the_last_one_get_it_once(bot, wecom) -> None:
    for ext in ("wmRw6", "wmRw7"):
        await give(bot, wecom, ext, 1000)
        await chat(bot, wecom, ext, "兑换 10元无门槛券")

    async def confirm(ext: str) -> str:
        async with bot.sessions.begin() as session:
            ctx = bot.app[CONTEXTS](session)
            return (await confirm_redemption(ctx, await found(ctx, ext))).key

    outcomes = sorted(await asyncio.gather(confirm("wmRw6"), confirm("wmRw7")))
    assert outcomes == ["points.redeem_done", "points.redeem_out"]
    assert await stock(bot, "coupon") == 0
    assert sorted([await balance(bot, "wmRw6"), await balance(bot, "wmRw7")]) == [0, 1000]


async def test_staff_list_and_ship_and_the_customer_hears_it(bot, wecom) -> None:
    await give(bot, wecom, "wmRw8", 300)
    await chat(bot, wecom, "wmRw8", "兑换 柚子小样礼包")
    await chat(bot, wecom, "wmRw8", "确认兑换")
    async with bot.sessions() as s:
        number = (await s.scalar(select(Redemption.id).where(Redemption.status == "ordered")))
    listing = await say(bot, wecom, "li.na", "/redeem list")
    assert f"#{number}" in listing and "柚子小样礼包" in listing
    done = await say(bot, wecom, "li.na", f"/redeem done {number}")
    assert "已通知客户" in done
    assert "已经发出" in wecom.customer_inbox("wmRw8")[-1]
    assert "没有待发货" in await say(bot, wecom, "li.na", "/redeem list")
    async with bot.sessions() as s:
        assert (await s.scalar(select(Redemption.shipped_by))) == "li.na"
    # marked twice (a colleague did it first): when and by whom, as a closed ticket is told; the customer hears once
    again = await say(bot, wecom, "zhang.wei", f"/redeem done {number}")
    assert f"兑换 #{number}「柚子小样礼包」已于 03-02 10:00 由 李娜（li.na） 标记为已发货" in again, again
    assert "之前" not in again and sum("已经发出" in str(t) for t in wecom.customer_inbox("wmRw8")) == 1


async def test_where_a_redeemed_reward_is_asked_in_own_words_follows_it_to_shipping(bot, wecom) -> None:
    """The sandbox of 2026-12-05: "兑换的东西什么时候寄" was read as a reward named "的东西什么时候寄", "我换的礼品
    啥时候发货" got the shop's shipping policy."""
    await give(bot, wecom, "wmRw20", 300)
    assert "还没有兑换过" in await chat(bot, wecom, "wmRw20", "兑换的东西什么时候寄")
    await chat(bot, wecom, "wmRw20", "兑换 柚子小样礼包")
    await chat(bot, wecom, "wmRw20", "确认兑换")
    for text in ("兑换的东西什么时候寄", "我换的礼品啥时候发货？", "换的小样啥时候到"):
        answer = await chat(bot, wecom, "wmRw20", text)
        assert "3月2日" in answer and "「柚子小样礼包」" in answer and "安排" in answer, answer
    async with bot.sessions() as s:
        number = (await s.scalar(select(Redemption.id).where(Redemption.status == "ordered")))
    await say(bot, wecom, "li.na", f"/redeem done {number}")
    answer = await chat(bot, wecom, "wmRw20", "我兑换的礼品还没收到")
    assert "「柚子小样礼包」" in answer and "3月2日已经发出" in answer, answer
    assert await bot.count(Redemption) == 1  # asking redeemed nothing more


async def test_where_the_points_went_lists_the_latest_changes_without_staff_notes(bot, wecom) -> None:
    await give(bot, wecom, "wmRw21", 500)  # a staff adjustment, reason "测试"
    await chat(bot, wecom, "wmRw21", "兑换 柚子小样礼包")
    await chat(bot, wecom, "wmRw21", "确认兑换")
    answer = await chat(bot, wecom, "wmRw21", "我的积分怎么少了")
    assert "200 积分" in answer and "-300 兑换 柚子小样礼包" in answer and "+500 客服调整" in answer, answer
    assert "测试" not in answer


async def test_staff_commands_with_a_part_missing_say_what_to_send(bot, wecom) -> None:
    await give(bot, wecom, "wmRw22", 100)
    answer = await say(bot, wecom, "li.na", "/points wmRw22 +50")
    assert "请写明调整原因" in answer and "/points wmRw22 +50 线下活动奖励" in answer, answer
    answer = await say(bot, wecom, "li.na", "/redeem done")
    assert "请写上兑换编号" in answer and answer.count("用法") == 1, answer  # once, not twice
    answer = await say(bot, wecom, "li.na", "/redeem lsit")
    assert "不认识「lsit」" in answer and answer.count("用法") == 1, answer
    assert await balance(bot, "wmRw22") == 100


@pytest.mark.parametrize("text,done", [("确定", True), ("好的！", True), ("嗯嗯", True), ("算了", False)])
async def test_a_bare_answer_to_the_confirmation_settles_the_redemption(bot, wecom, text, done) -> None:
    """The sandbox of 2026-12-05: "确定" right after "确认用 30 积分兑换…吗？" got "小柚在听～" and redeemed nothing."""
    await give(bot, wecom, "wmRw23", 500)
    await chat(bot, wecom, "wmRw23", "换个小样吧")
    answer = await chat(bot, wecom, "wmRw23", text)
    assert ("兑换成功" in answer) == done and ("已取消" in answer) == (not done), answer
    assert await balance(bot, "wmRw23") == (200 if done else 500)


async def test_a_yes_after_the_persona_said_something_else_redeems_nothing(bot, wecom) -> None:
    await give(bot, wecom, "wmRw24", 500)
    await chat(bot, wecom, "wmRw24", "换个小样吧")
    await chat(bot, wecom, "wmRw24", "积分会过期吗")
    assert "兑换成功" not in await chat(bot, wecom, "wmRw24", "好的")
    assert await balance(bot, "wmRw24") == 500


async def test_a_customer_cannot_run_redeem(bot, wecom) -> None:
    await give(bot, wecom, "wmRw9", 300)
    answer = await chat(bot, wecom, "wmRw9", "/redeem list")
    assert "待发货" not in answer


async def test_a_raised_stock_in_the_config_restocks(bot, wecom, db_url, clock) -> None:
    await give(bot, wecom, "wmRw10", 300)
    await chat(bot, wecom, "wmRw10", "兑换 柚子小样礼包")
    await chat(bot, wecom, "wmRw10", "确认兑换")
    await bot.stop()
    more = {**POINTS, "rewards": [{**POINTS["rewards"][0], "stock": 8}, *POINTS["rewards"][1:]]}
    again = await start_bot(db_url, wecom, clock, points=more, staff=STAFF)
    try:
        assert await stock(again, "kit") == 7  # 4 left + 3 more
    finally:
        await again.stop()
        bot.stop = again.stop  # the fixture's stop is a no-op now


async def test_a_redemption_is_a_ledger_row_that_does_not_lower_the_level(bot, wecom) -> None:
    await give(bot, wecom, "wmRw11", 1000)
    await chat(bot, wecom, "wmRw11", "兑换 10元无门槛券")
    await chat(bot, wecom, "wmRw11", "确认兑换")
    async with service(bot) as ctx:
        customer = await found(ctx, "wmRw11")
        entries = (await ctx.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer.id)
                                             .order_by(PointsEntry.id))).all()
        assert [(e.delta, e.source) for e in entries] == [(1000, "staff:test"), (-1000, "redeem")]
        assert customer.level == "金柚"


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer


@pytest.mark.parametrize("text", ["我想换柚子小样礼包", "用积分换个小样吧", "换第一个", "兑换 第1个", "换那个小样"])
async def test_a_reward_asked_for_in_the_customers_own_words_asks_to_confirm(bot, wecom, text) -> None:
    await give(bot, wecom, "wmRw9", 500)
    await chat(bot, wecom, "wmRw9", "积分兑换")  # lists 柚子小样礼包 first (the only one 500 points buy)
    answer = await chat(bot, wecom, "wmRw9", text)
    assert "柚子小样礼包" in answer and "确认兑换" in answer, answer
    assert "兑换成功" in await chat(bot, wecom, "wmRw9", "好的 确定兑换！")
    assert await balance(bot, "wmRw9") == 200
    assert await suggestions(bot) == []


async def test_a_place_with_nothing_affordable_says_what_the_cheapest_needs(bot, wecom) -> None:
    await give(bot, wecom, "wmRw10", 100)
    assert "最低的一档是柚子小样礼包" in await chat(bot, wecom, "wmRw10", "积分兑换")
    assert "还差 200 分" in await chat(bot, wecom, "wmRw10", "换第一个")
    assert "没找到「第3个」" in await chat(bot, wecom, "wmRw10", "换第三个")
    assert await bot.count(Redemption) == 0


@pytest.mark.parametrize("text", ["我想换一个", "我想换个颜色", "能换货吗"])
async def test_an_exchange_of_goods_is_no_redemption(bot, wecom, text) -> None:
    await give(bot, wecom, "wmRw11", 500)
    answer = await chat(bot, wecom, "wmRw11", text)
    assert "确认兑换" not in answer and "没找到" not in answer, answer


async def test_not_redeeming_after_all_in_own_words_takes_nothing(bot, wecom) -> None:
    await give(bot, wecom, "wmRw12", 500)
    await chat(bot, wecom, "wmRw12", "换小样")
    assert "已取消" in await chat(bot, wecom, "wmRw12", "算了 不兑换了")
    assert await balance(bot, "wmRw12") == 500 and await stock(bot, "kit") == 5


@pytest.mark.parametrize("text", ["能换点啥不", "我的积分能换什么", "有什么可以兑换的吗", "积分可以兑换哪些东西呀",
                                  "积分换啥"])
async def test_what_the_points_buy_asked_in_own_words_lists_the_catalogue(bot, wecom, text) -> None:
    await give(bot, wecom, "wmRw13", 500)
    answer = await chat(bot, wecom, "wmRw13", text)
    assert "柚子小样礼包" in answer and "500" in answer, answer
    assert "10元无门槛券" not in answer  # what 500 points buy, as "积分兑换" shows it


@pytest.mark.parametrize("text", ["我现在有多少积分 能换啥", "积分还有多少？可以兑换什么", "能换什么 我还剩几分"])
async def test_the_balance_and_what_it_buys_asked_together_get_one_answer_with_both(bot, wecom, text) -> None:
    """The midnight sandbox of 2026-12-05: "我现在有多少积分 能换啥" got the points FAQ, then the balance: two
    messages, and not one word of what the points buy."""
    await give(bot, wecom, "wmRw16", 500)
    before = len(wecom.customer_inbox("wmRw16"))
    await wecom.customer_says("wmRw16", text)
    await bot.drain()
    (answer,) = wecom.customer_inbox("wmRw16")[before:]
    assert "500" in answer and "柚子小样礼包" in answer and "10元无门槛券" not in answer, answer


async def test_the_cheapest_asked_for_in_words_is_the_cheapest_open_to_the_customer(bot, wecom) -> None:
    await give(bot, wecom, "wmRw14", 100)
    await chat(bot, wecom, "wmRw14", "我现在有多少分了")
    answer = await chat(bot, wecom, "wmRw14", "那换个最便宜的吧")  # 柚子面霜正装 (200) is for 金柚 only
    assert "柚子小样礼包" in answer and "还差 200 分" in answer, answer
    await give(bot, wecom, "wmRw14", 300)
    answer = await chat(bot, wecom, "wmRw14", "好 换积分最少的那个")
    assert "柚子小样礼包" in answer and "确认兑换" in answer, answer
    assert await balance(bot, "wmRw14") == 400 and await stock(bot, "kit") == 5  # asked, not yet confirmed


@pytest.mark.parametrize("text", ["怎么才能升级", "升到金柚要多少分", "有哪些等级呀", "那等级怎么算的",
                                  "升级还要多少分", "会员有什么好处", "金柚有什么权益"])
async def test_how_levels_work_asked_in_own_words_is_told_from_the_levels_with_the_customers_own_standing(
        bot, wecom, text) -> None:
    """The sandbox of 2026-12-05: "怎么才能升级" right after the balance got a promise to ask a colleague."""
    await give(bot, wecom, "wmRw15", 400)
    answer = await chat(bot, wecom, "wmRw15", text)
    assert "「柚芽」累计 0 分" in answer and "「金柚」累计 1000 分" in answer, answer
    assert "再攒 600 分" in answer and "同事" not in answer, answer


async def test_what_a_product_brings_is_no_question_about_levels(bot, wecom) -> None:
    await give(bot, wecom, "wmRw25", 400)
    answer = await chat(bot, wecom, "wmRw25", "这个面霜有什么好处")
    assert "累计 0 分" not in answer and "再攒" not in answer, answer


async def test_at_the_top_level_the_levels_say_so(bot, wecom) -> None:
    await give(bot, wecom, "wmRw16", 1200)
    answer = await chat(bot, wecom, "wmRw16", "怎么升级")
    assert "最高等级「金柚」" in answer and "再攒" not in answer, answer
