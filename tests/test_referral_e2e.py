"""Referral tiers through the emulator: a personal 「联系我」 code, new friends counted once,
re-adds and known customers ignored, tier 1 at the 10th distinct new friend."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.appkeys import DELIVERY, SCHEDULER
from handlers.referral.service import format_winners, referral_winners
from storage.models import InboundEvent, ReferralInvite, ReferralParticipant
from tests.community_kit import at, run_due_jobs, service, start_bot

SPRING = {"key": "spring", "name": "春日邀请有礼", "staff": "zhang.wei",
          "tiers": [{"invites": 10, "gift": "面霜1瓶", "points": 50}, {"invites": 20, "gift": "面霜2瓶"}]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, referral={"campaigns": [SPRING], "leave_grace_hours": 1},
                          points={"levels": [{"name": "柚芽", "min": 0},
                                              {"name": "柚苗", "min": 50, "rights": "试用"}]})
    yield bot
    await bot.stop()


async def join(bot, wecom, ext: str) -> str:
    """The customer asks for their code; returns the config_id WeCom made for it."""
    await wecom.customer_says(ext, "邀请有礼")
    await bot.drain()
    call = wecom.calls("externalcontact/add_contact_way")[-1]
    return str(call.response.get("config_id", ""))


async def scan(bot, wecom, clock, config_id: str, ext: str) -> None:
    clock.advance(60)
    await wecom.customer_scans(config_id, ext)
    await bot.drain()


async def counted(bot) -> int:
    async with bot.sessions() as s:
        return len((await s.scalars(select(ReferralInvite).where(ReferralInvite.status == "counted"))).all())


async def test_tier_one_comes_at_the_tenth_distinct_new_friend_and_a_re_add_does_not_count(bot, wecom, clock):
    clock.set(at(2, 20, 10))
    await wecom.customer_says("wmOldCust1", "你好")  # a customer we have known for ten days
    await bot.drain()
    clock.set(at(3, 2, 10))
    config_id = await join(bot, wecom, "wmInviter1")
    (call,) = wecom.calls("externalcontact/add_contact_way")
    assert call.body["type"] == 1 and call.body["scene"] == 2 and call.body["user"] == ["zhang.wei"]
    assert call.body["state"].startswith("rf") and len(call.body["state"]) <= 30
    inbox = wecom.customer_inbox("wmInviter1")
    assert call.response["qr_code"] in inbox[-1]  # shown once WeCom made the code
    for n in range(1, 10):
        await scan(bot, wecom, clock, config_id, f"wmNewFr{n:02d}")
    assert any("第一位好友" in t for t in wecom.customer_inbox("wmInviter1"))
    await scan(bot, wecom, clock, config_id, "wmOldCust1")  # known before: not a new friend
    await scan(bot, wecom, clock, config_id, "wmInviter1")  # their own code
    clock.advance(2 * 3600)  # past the 1 h leave grace: friend 3 still counts after leaving...
    await wecom.customer_deletes_staff("zhang.wei", "wmNewFr03")
    await bot.drain()
    await scan(bot, wecom, clock, config_id, "wmNewFr03")  # ...and coming back is a re-add, not a new friend
    assert await counted(bot) == 9
    assert await bot.count(InboundEvent, InboundEvent.status != "done") == 0  # ignored cleanly, no error
    assert not any("第1档" in t for t in wecom.customer_inbox("wmInviter1"))
    await scan(bot, wecom, clock, config_id, "wmNewFr10")
    assert await counted(bot) == 10
    assert sum("第1档" in t and "面霜1瓶" in t for t in wecom.customer_inbox("wmInviter1")) == 1
    assert any("柚苗" in t for t in wecom.customer_inbox("wmInviter1"))  # the tier's 50 points: new level
    assert any("面霜1瓶" in t and "10" in t for t in wecom.staff_inbox("zhang.wei"))
    await scan(bot, wecom, clock, config_id, "wmNewFr11")
    assert sum("第1档" in t for t in wecom.customer_inbox("wmInviter1")) == 1  # announced once
    async with service(bot) as ctx:
        (winner,) = await referral_winners(ctx, "spring")
    assert winner["external_userid"] == "wmInviter1" and winner["invites"] == 11 and winner["tier"] == 1
    assert "wmInviter1" in format_winners("春日邀请有礼", [winner]) and "面霜1瓶" in format_winners("x", [winner])


async def test_a_friend_who_leaves_within_the_grace_period_stops_counting(bot, wecom, clock):
    config_id = await join(bot, wecom, "wmInviter2")
    for ext in ("wmLeave001", "wmStay0001", "wmMoved001"):
        await scan(bot, wecom, clock, config_id, ext)
    await wecom.customer_deletes_staff("zhang.wei", "wmLeave001")  # within the hour: no longer counts
    await wecom.staff_deletes_customer("zhang.wei", "wmMoved001", by_transfer=True)  # a transfer is not leaving
    await bot.drain()
    assert await counted(bot) == 2
    await scan(bot, wecom, clock, config_id, "wmLeave001")  # back a minute later: a re-add, not counted again
    assert await counted(bot) == 2
    assert await bot.count(InboundEvent, InboundEvent.status != "done") == 0
    await wecom.customer_says("wmInviter2", "我的邀请")
    await bot.drain()
    assert "2" in wecom.customer_inbox("wmInviter2")[-1] and "8" in wecom.customer_inbox("wmInviter2")[-1]


async def test_a_code_whose_follow_up_was_lost_is_shown_by_the_sweep_once(bot, wecom, clock):
    bot.app[DELIVERY].followups = None  # as if the follow-up had failed after WeCom answered
    await join(bot, wecom, "wmInviter3")
    qr = wecom.calls("externalcontact/add_contact_way")[-1].response["qr_code"]
    assert not any(qr in t for t in wecom.customer_inbox("wmInviter3"))
    await bot.app[SCHEDULER].start()
    for minute in (5, 10):
        clock.set(at(3, 2, 10, minute))
        await run_due_jobs(bot)
    assert sum(qr in t for t in wecom.customer_inbox("wmInviter3")) == 1


async def test_a_code_wecom_refused_is_reported_to_the_customer(bot, wecom, clock):
    wecom.faults.inject("externalcontact/add_contact_way", errcode=40003)
    await join(bot, wecom, "wmInviter4")
    await bot.app[SCHEDULER].start()
    clock.set(at(3, 2, 10, 5))
    await run_due_jobs(bot)
    assert "没有生成成功" in wecom.customer_inbox("wmInviter4")[-1]
    async with bot.sessions() as s:
        (participant,) = (await s.scalars(select(ReferralParticipant))).all()
    assert participant.way_status == "failed"
    # asking again makes a new code
    await wecom.customer_says("wmInviter4", "邀请有礼")
    await bot.drain()
    assert wecom.calls("externalcontact/add_contact_way")[-1].ok
    assert "example.invalid/qr" in wecom.customer_inbox("wmInviter4")[-1]


@pytest.mark.parametrize("text", ["邀请朋友有什么奖励吗", "拉人进来有好处吗", "你们有老带新活动吗", "邀请有礼怎么玩",
                                  "邀请满了送啥", "拉满20个人送什么", "邀请几个人有奖励", "我邀请了几个人了",
                                  "我想邀请朋友一起 有什么奖励吗", "拉闺蜜进群能得啥奖励"])
async def test_what_inviting_earns_asked_in_own_words_tells_the_tiers_and_creates_no_code(bot, wecom, text):
    """The sandbox of 2026-12-05: "邀请朋友有什么奖励吗" got the new-customer coupon of the knowledge base."""
    await wecom.customer_says("wmAskRules", text)
    await bot.drain()
    said = wecom.customer_inbox("wmAskRules")[-1]
    assert "邀请10位得面霜1瓶" in said and "邀请20位得面霜2瓶" in said and "邀请有礼" in said, said
    assert not wecom.calls("externalcontact/add_contact_way")  # the code comes when they send the keyword


@pytest.mark.parametrize("text", ["我邀请了几个人了", "我的邀请进度", "我拉的人有几个了", "还差几个人能拿奖励"])
async def test_the_progress_asked_in_own_words_is_the_customers_count(bot, wecom, clock, text):
    """The sandbox of 2026-12-05: "我邀请了几个人了" got a promise to ask a colleague."""
    config_id = await join(bot, wecom, "wmInviter5")
    for n in range(3):
        await scan(bot, wecom, clock, config_id, f"wmNewFr5{n}")
    await wecom.customer_says("wmInviter5", text)
    await bot.drain()
    said = wecom.customer_inbox("wmInviter5")[-1]
    assert "3 位" in said and "7 位" in said and "面霜1瓶" in said, said  # 3 counted, 7 more to tier 1
    assert len(wecom.calls("externalcontact/add_contact_way")) == 1  # no second code


async def test_a_customer_who_never_took_a_code_asking_their_count_hears_none_yet_and_the_tiers(bot, wecom):
    await wecom.customer_says("wmAskCount", "我邀请了几个人了")
    await bot.drain()
    said = wecom.customer_inbox("wmAskCount")[-1]
    assert "0 位" in said and "邀请10位得面霜1瓶" in said and "“邀请有礼”" in said, said
    assert not wecom.calls("externalcontact/add_contact_way")


@pytest.mark.parametrize("text", ["怎么生成我的邀请码", "我的邀请码呢", "给我个邀请码", "邀请二维码在哪"])
async def test_the_code_asked_for_in_own_words_is_the_customers_code(bot, wecom, text):
    """The sandbox of 2026-12-06: "怎么生成我的邀请码" got a promise to ask a colleague."""
    await wecom.customer_says("wmAskCode", text)
    await bot.drain()
    assert len(wecom.calls("externalcontact/add_contact_way")) == 1
    assert "example.invalid/qr" in wecom.customer_inbox("wmAskCode")[-1]


async def test_a_product_recommendation_asked_with_a_perk_is_no_referral_question(bot, wecom):
    await wecom.customer_says("wmAskPick", "推荐一款面霜 有什么优惠吗")
    await bot.drain()
    said = wecom.customer_inbox("wmAskPick")[-1]
    assert "邀请10位" not in said and not wecom.calls("externalcontact/add_contact_way"), said


async def test_asked_what_is_on_a_customer_hears_the_referral_tiers_and_still_the_deals(bot, wecom):
    # sandbox 2026-12-06: "你们最近有什么活动吗" got only the new-customer coupon while a referral campaign was running
    await wecom.customer_says("wmAskOn", "你们最近有什么活动吗")
    await bot.drain()
    (said,) = wecom.customer_inbox("wmAskOn")  # one message listing what is on
    assert "邀请10位得面霜1瓶" in said and "“邀请有礼”" in said and "199 减 30" in said, said
    assert not wecom.calls("externalcontact/add_contact_way")
