"""Customers in their own words (issue #13, branch conv35): "最近有什么活动吗" answered in one message listing what
is on (a camp, a referral campaign, the knowledge base's deals), whether our product goes with another brand's asked
as a usage question (never the refusal to talk about other brands), a refund asked in English handed to a person as
the Chinese one is, whether we have a thing asked in English ("do you have a physical store") read as "有…吗".
Asserted on what the customer gets back."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.checkin.campaigns import create_campaign
from tests.community_kit import at, service, start_bot
from tests.test_persona_understanding import TUESDAY_10AM, told

SPRING = {"key": "spring", "name": "春日邀请有礼", "staff": "zhang.wei",
          "tiers": [{"invites": 10, "gift": "面霜1瓶", "points": 50}]}


@pytest.fixture
async def busy_bot(db_url, wecom, clock):
    """A shop with a check-in camp and a referral campaign both running."""
    clock.set(at(3, 1, 12))
    bot = await start_bot(db_url, wecom, clock, referral={"campaigns": [SPRING]},
                          checkin={"window": "06:00-23:00"})
    async with service(bot) as ctx:
        await create_campaign(ctx, key="read7", name="7天阅读打卡", start=date(2026, 3, 2), days=7, actor="li.na")
    yield bot
    await bot.stop()


@pytest.mark.parametrize("question", ["你们最近有什么活动吗", "现在有啥活动", "有优惠活动吗"])
async def test_what_is_on_is_one_message_listing_the_camp_the_referral_and_the_deals(
        busy_bot, wecom, clock, question) -> None:
    """Before: three messages, the camp's, the referral's rules, then the knowledge base's deals."""
    clock.set(at(3, 3, 9))
    replies = await told(busy_bot, wecom, clock, "wmOn35a", question)
    assert [k for k, _ in replies] == ["reply.whats_on"], replies
    said = replies[0][1]
    assert said.index("7天阅读打卡") < said.index("邀请10位得面霜1瓶") < said.index("199 减 30"), said


async def test_what_is_on_with_nothing_running_is_the_deals_answer_alone(wanzi, wecom, clock) -> None:
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmOn35b", "你们最近有什么活动吗")
    assert [k for k, _ in replies] == ["reply.faq"] and "199 减 30" in replies[0][1], replies


@pytest.mark.parametrize("said", ["你们的面霜能和别家的精华一起用吗", "你们的保湿霜跟我现在用的xx水冲突吗",
                                  "可以和其他牌子的防晒叠加吗", "面霜跟别的牌子的精华能搭配着用吗"])
async def test_our_product_with_another_brands_is_a_usage_question(wanzi, wecom, clock, said) -> None:
    """Before: "每个牌子都有自己的长处，小柚就不评价别家啦" (chat.compare), or the dry-skin cream offered; the demo
    base says nothing of using products together: a question for a person (the honest reply with no staff)."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmTog35", said)
    assert [k for k, _ in replies] in (["reply.fallback"], ["reply.unknown"]), replies


async def test_a_brand_compared_is_still_not_judged(wanzi, wecom, clock) -> None:
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmCmp35", "你们跟珀莱雅比怎么样")
    assert [k for k, _ in replies] == ["chat.compare"], replies


@pytest.mark.parametrize(("english", "chinese"), [("I want a refund", "我要退款"),
                                                  ("I'd like a refund please", "我想退款")])
async def test_a_refund_asked_in_english_is_handed_over_as_the_chinese_one(
        wanzi, wecom, clock, english, chinese) -> None:
    """Before: "I want a refund" got the returns policy alone, "I'd like a refund please" "收到～" (chat.other);
    "我要退款" gets the policy, then a person for the order."""
    clock.set(TUESDAY_10AM)
    theirs = await told(wanzi, wecom, clock, "wmRef35a", chinese)
    ours = await told(wanzi, wecom, clock, "wmRef35b", english)
    assert any(k.startswith("escalation.") for k, _ in theirs), theirs
    assert any(k.startswith("escalation.") for k, _ in ours) and not any(k == "chat.other" for k, _ in ours), ours


async def test_whether_we_have_a_physical_store_asked_in_english_is_read_as_the_chinese(wanzi, wecom, clock) -> None:
    """Before: "I'm not sure" (reply.unknown); "有实体店吗" is offered the where-to-buy entry."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmStore35", "do you have a physical store")
    assert replies and replies[0][0] != "reply.unknown" and "怎么买" in replies[0][1], replies


# --- dev29: kf customers in their own words -------------------------------------------------------------------------


async def test_a_product_referred_to_by_who_picked_it_the_next_day_is_asked_about(wanzi, wecom, clock) -> None:
    """Before: "昨天你推荐的那个面霜 孕妇能用吗" was a pick asked with a condition told (the questionnaire for skin type
    and budget); "推荐的" here names the cream recommended, asked of pregnancy."""
    clock.set(TUESDAY_10AM)
    await told(wanzi, wecom, clock, "wmRec35", "干皮用啥面霜好")
    clock.advance(24 * 3600)
    replies = await told(wanzi, wecom, clock, "wmRec35", "昨天你推荐的那个面霜 孕妇能用吗")
    assert [k for k, _ in replies] == ["reply.faq"] and "孕期和哺乳期" in replies[0][1], replies


@pytest.mark.parametrize("said", ["昨天问的那个问题 有结果了吗", "之前问的那个有答复了吗"])
async def test_a_chaser_with_nothing_open_is_asked_to_say_it_again(wanzi, wecom, clock, said) -> None:
    """Before: "老实说这个我还不确定呢" (reply.unknown) of a question nobody can read; now what the persona sees of the
    chat and to mention it once more (chat.memory)."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmChase35", said)
    assert [k for k, _ in replies] == ["chat.memory"], replies


@pytest.mark.parametrize("said", ["xswl 我妈把我面霜当护手霜用了", "笑死我了 我男朋友把我面霜当身体乳涂"])
async def test_a_funny_story_about_the_cream_is_laughed_with(wanzi, wecom, clock, said) -> None:
    """Before: the dry-skin cream's recommendation, for a story that asks nothing."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmLol35", said)
    assert [k for k, _ in replies] == ["chat.laugh"], replies


@pytest.mark.parametrize(("said", "answer"), [("怀运了能用吗", "孕期和哺乳期"), ("发啥快第", "顺丰"),
                                              ("坏孕可以用你们家的吗", "孕期和哺乳期")])
async def test_homophone_slips_in_shop_words_get_the_answer(wanzi, wecom, clock, said, answer) -> None:
    """Before: "怀运了能用吗" got the shelf life, "发啥快第" "I don't know"."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmSlip35", said)
    assert [k for k, _ in replies] == ["reply.faq"] and answer in replies[0][1], replies


async def test_a_chaser_right_after_an_answer_with_nothing_open_is_asked_to_say_it_again(wanzi, wecom, clock) -> None:
    """The sandbox: "昨天问的那个问题 有结果了吗" right after the pregnancy answer got a colleague's promise, a question
    queued that nobody can read."""
    clock.set(TUESDAY_10AM)
    await told(wanzi, wecom, clock, "wmChase35b", "孕妇能用吗")
    replies = await told(wanzi, wecom, clock, "wmChase35b", "昨天问的那个问题 有结果了吗")
    assert [k for k, _ in replies] == ["chat.memory"], replies


async def test_a_question_run_on_into_the_next_clause_without_punctuation_is_a_question(wanzi, wecom, clock) -> None:
    """The sandbox: "我昨天下的单今天能发吗我明天要出差" (voice input) got the chat line "小柚在听～想聊什么都可以"; 吗
    before the next clause's subject ends a question."""
    clock.set(TUESDAY_10AM)
    replies = await told(wanzi, wecom, clock, "wmRun35", "我昨天下的单今天能发吗我明天要出差")
    assert replies and not any(k.startswith("chat.") for k, _ in replies), replies
