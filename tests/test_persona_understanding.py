"""Customers' own words the default persona used to misread (sandbox trials, issue 13): each gets
what a person at the shop would say. Asserted on what the customer gets back: the persona's
template key (without its variant) and the text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from storage.models import Customer, Message, Ticket, UnansweredQuestion
from tests.chat_kit import count
from tests.harness import BotUnderTest

TUESDAY_10AM = datetime(2026, 3, 10, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
PROMISE = ("问问专业的同事", "请同事确认", "找懂行的同事")


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def told(bot: BotUnderTest, wecom, clock, ext: str, text: str) -> list[tuple[str, str]]:
    """The customer writes `text`; (template key without its variant, text) of each reply."""
    async with bot.sessions() as s:
        after = int(await s.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0)
    await wecom.customer_says(ext, text)
    await bot.drain()
    clock.advance(45)
    async with bot.sessions() as s:
        sent = (await s.scalars(select(Message).join(Customer, Message.customer_id == Customer.id)
                                .where(Customer.external_userid == ext, Message.direction == "out",
                                       Message.id > after).order_by(Message.id))).all()
    return [(m.template_key.partition("#")[0], m.text) for m in sent]


async def test_which_courier_after_the_authenticity_answer_gets_the_shipping_answer(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmUnd01", "你们家是正品吗")
    (reply,) = await told(wanzi, wecom, clock, "wmUnd01", "快递走的哪家")
    assert "顺丰" in reply[1] and "防伪码" not in reply[1], reply  # "官方渠道发出的" is no shipping answer


async def test_bought_at_the_tmall_flagship_store_stays_with_authenticity(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmUnd02", "你们家是正品吗")
    (reply,) = await told(wanzi, wecom, clock, "wmUnd02", "那我在天猫旗舰店买的也算吗")
    assert reply[0] == "reply.followup" and "正品" in reply[1], reply  # 天猫 is a marketplace, not a cat
    assert "退" not in reply[1]


async def test_a_choice_between_buying_a_bag_and_skincare_is_no_product_idea(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmUnd03", "你说我是买包还是买护肤品")
    assert reply[0] == "reply.shopping", reply  # helped to pick, not thanked for a suggestion
    assert "肤质" in reply[1]


async def test_a_plain_decline_gets_an_ok_not_an_apology(wanzi, wecom, clock) -> None:
    for n, text in enumerate(["不需要代理", "暂时不需要", "不用推荐了"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd04{n}", text)
        assert reply[0] == "chat.ack", (text, reply)
    assert await count(wanzi, Ticket) == 0


async def test_are_you_scammers_is_reassured_with_a_person_on_offer_not_handed_off(wanzi, wecom, clock) -> None:
    answer, doubt = await told(wanzi, wecom, clock, "wmUnd05", "你们是不是骗子啊")
    assert answer[0] == "reply.faq" and "防伪码" in answer[1], answer  # the authenticity answer
    assert doubt[0] == "chat.doubt" and "人工" in doubt[1], doubt  # who we are, and a person one word away
    assert await count(wanzi, Ticket) == 0
    (reply,) = await told(wanzi, wecom, clock, "wmUnd05", "多久发货")  # still the persona's chat
    assert "顺丰" in reply[1]


async def test_a_student_asking_for_something_cheaper_gets_the_coupon_and_no_haggling_hand_off(
        wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmUnd06", "学生党 有没有便宜点的")
    assert "满 199 减 30" in reply[1], reply


async def test_a_comparison_with_another_brand_gets_a_warm_line_and_no_claim_about_it(wanzi, wecom, clock) -> None:
    for n, text in enumerate(["你们跟珀莱雅比怎么样", "珀莱雅和你们家哪个好", "比大牌差在哪",
                              "跟兰蔻比你们家哪个好用"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd07{n}", text)
        assert reply[0] == "chat.compare", (text, reply)
        assert "珀莱雅" not in reply[1] and not any(p in reply[1] for p in PROMISE)
    assert await count(wanzi, UnansweredQuestion) == 0


async def test_combination_oily_skin_is_noted_as_combination_skin(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmUnd08", "我混油皮")
    assert reply[0] == "reply.noted" and "混合皮" in reply[1] and "油皮" not in reply[1], reply


async def test_feeling_better_after_talking_is_met_warmly(wanzi, wecom, clock) -> None:
    for n, text in enumerate(["哈哈算了 跟你说说好多了", "跟你说完心里舒服多了"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd09{n}", text)
        assert reply[0] == "chat.happy", (text, reply)


OWN_WORDS = [  # more of the same, in other words (written for this test, not from the evaluation splits)
    ("你们和完美日记比哪个好用", ["chat.compare"]), ("你们家和雅诗兰黛有啥区别", ["chat.compare"]),
    ("你们和完美日记比 价格贵了不少吧", ["reply.price_faq"]),  # the price is the concern: the coupon
    ("感觉你们家有点像骗钱的", ["reply.faq", "chat.doubt"]), ("这家店靠谱吗", ["reply.faq"]),
    ("我是学生 预算不多 有平价点的吗", ["reply.price_faq"]),  # the coupon, the concern acknowledged
    ("我T区油 两颊干", ["reply.noted"]), ("我不需要发票", ["chat.ack"]),
    ("跟你聊完心情好多了 晚安", ["chat.goodnight"]), ("不用的话能退吗", ["reply.faq"]),  # still the returns answer
]


async def test_the_same_in_other_words(wanzi, wecom, clock) -> None:
    for n, (text, keys) in enumerate(OWN_WORDS):
        replies = await told(wanzi, wecom, clock, f"wmUnd1{n:02d}", text)
        assert [k for k, _ in replies] == keys, (text, replies)
    assert await count(wanzi, Ticket) == 0


async def test_a_comparison_that_leaves_us_unsaid_is_a_comparison(wanzi, wecom, clock) -> None:
    """"跟兰蔻比哪个好用": us left unsaid, any brand, not only the ones a list names; "跟上次买的比" is ours."""
    for n, text in enumerate(["跟兰蔻比哪个好用", "和雅诗兰黛比起来怎么样", "兰蔻和你们哪个好"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd20{n}", text)
        assert reply[0] == "chat.compare" and "兰" not in reply[1], (text, reply)
    (ours,) = await told(wanzi, wecom, clock, "wmUnd210", "跟上次买的比哪个好用")
    assert ours[0] != "chat.compare", ours


async def test_a_good_effect_told_is_taken_as_praise_not_the_chat_line(wanzi, wecom, clock) -> None:
    for n, text in enumerate(["用了一个礼拜 脸真的嫩了好多", "痘印淡了不少"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd22{n}", text)
        assert reply[0] == "chat.praise" and "还有什么想跟" not in reply[1], (text, reply)


async def test_a_hurried_typo_and_spaced_pinyin_are_read_as_meant(wanzi, wecom, clock) -> None:
    (presence,) = await told(wanzi, wecom, clock, "wmUnd230", "在马")
    assert presence[0] == "chat.presence", presence
    (shipping,) = await told(wanzi, wecom, clock, "wmUnd231", "fa huo kuai ma")
    assert "48 小时内" in shipping[1], shipping


async def test_presence_with_a_particle_before_the_address_is_no_question(wanzi, wecom, clock) -> None:
    """"在不在呀亲" (found in the sandbox) was queued for a colleague as a question."""
    (presence,) = await told(wanzi, wecom, clock, "wmUnd232", "在不在呀亲")
    assert presence[0] == "chat.presence" and "同事" not in presence[1], presence


async def test_an_expired_coupon_is_asked_about_the_coupon_not_the_shelf_life(wanzi, wecom, clock) -> None:
    (coupon,) = await told(wanzi, wecom, clock, "wmUnd240", "要是券过期了还能用不")
    assert "满 199 减 30" in coupon[1] and "保质期" not in coupon[1], coupon
    (cream,) = await told(wanzi, wecom, clock, "wmUnd241", "面霜过期了还能用吗")  # no other concept: shelf life
    assert "保质期 3 年" in cream[1], cream


async def test_far_cheaper_elsewhere_is_it_genuine_gets_the_authenticity_answer(wanzi, wecom, clock) -> None:
    answer, doubt = await told(wanzi, wecom, clock, "wmUnd25", "我在拼夕夕上看到你们家面霜便宜一半 是真的假的啊")
    assert "防伪码" in answer[1] and "满 199" not in answer[1], answer  # not the coupon
    assert doubt[0] == "chat.doubt", doubt


async def test_a_grumble_told_laughing_gets_a_light_line_not_thanks_for_an_idea(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmUnd26", "1000分才换10块 也太抠了吧😂")
    assert reply[0] == "chat.laugh", reply  # not "收到你的建议啦" nor an apology


async def test_whether_one_cream_reaches_the_threshold_asks_its_price_not_the_coupon_again(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmUnd27", "有没有啥优惠啊 第一次买")
    (reply,) = await told(wanzi, wecom, clock, "wmUnd27", "满199减30 那我就买一瓶面霜够199不")
    assert "满 199 减 30" not in reply[1] and reply[0] in ("reply.unknown", "reply.fallback"), reply


async def test_which_goes_on_first_is_never_answered_with_the_cream_recommendation(wanzi, wecom, clock) -> None:
    """The demo base has no routine entry: "先涂哪个" gets the honest reply, not the dry-skin cream (which
    says nothing of an order), nor a 猜你想问 offering it."""
    for n, text in enumerate(["面霜跟精华先涂哪个啊", "面霜和精华应该先用哪个"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd28{n}", text)
        assert "柚润" not in reply[1] and reply[0] in ("reply.unknown", "reply.fallback"), (text, reply)


async def test_a_follow_up_line_is_not_said_a_third_time_to_a_new_question(wanzi, wecom, clock) -> None:
    """Found in the sandbox: after the pregnancy answer and its sentence again for "我老婆怀孕三个月了",
    "那她现在脸上长痘痘怎么办" got that same sentence a third time; it asks what the entry does not say."""
    (answer,) = await told(wanzi, wecom, clock, "wmUnd250", "你们家的东西孕妇能用不")
    assert "孕期" in answer[1], answer
    (again,) = await told(wanzi, wecom, clock, "wmUnd250", "我老婆怀孕三个月了")
    assert again[0] == "reply.followup", again
    replies = await told(wanzi, wecom, clock, "wmUnd250", "那她现在脸上长痘痘怎么办")
    assert replies, replies
    assert all(again[1] not in text and "孕期和哺乳期大多可以用" not in text for _, text in replies), replies


@pytest.mark.parametrize("n,text", list(enumerate(["用过之后不合适 能退吗 已经开封了", "开封了还能退吗",
                                                   "开封了可以退吗", "拆开用了一次 不喜欢 可以退货吗",
                                                   "已经打开用过了 能退换吗"])))
async def test_whether_an_opened_product_can_be_returned_gets_the_returns_answer(wanzi, wecom, clock, n, text) -> None:
    """开封 beside 能退 is the state the product is in, not a question of how long it keeps."""
    answer, *_ = await told(wanzi, wecom, clock, f"wmUnd29{n}", text)  # a person may follow (returns are sensitive)
    assert "已拆封的" in answer[1] and "保质期" not in answer[1], answer


@pytest.mark.parametrize("n,text", list(enumerate(["开封后能放多久", "开了盖的精华能放多长时间",
                                                   "打开以后还能用多久"])))
async def test_how_long_an_opened_product_keeps_stays_the_shelf_life(wanzi, wecom, clock, n, text) -> None:
    (answer,) = await told(wanzi, wecom, clock, f"wmUnd30{n}", text)
    assert "开封后建议 12 个月内用完" in answer[1] and "退" not in answer[1], answer


async def test_whether_we_have_a_tmall_flagship_store_is_queued_not_answered_with_authenticity(wanzi, wecom,
                                                                                              clock) -> None:
    """The demo base has no entry naming our shops: "官方渠道发出的都是正品" does not say whether there is one on
    Tmall, so a colleague answers (the question is queued), with no 猜你想问 of authenticity or returns."""
    for n, text in enumerate(["天猫上有旗舰店不", "有官方旗舰店吗"]):
        (reply,) = await told(wanzi, wecom, clock, f"wmUnd31{n}", text)
        assert reply[0] in ("reply.unknown", "reply.fallback") and "防伪码" not in reply[1], (text, reply)
    assert await count(wanzi, UnansweredQuestion) == 2
    (genuine,) = await told(wanzi, wecom, clock, "wmUnd312", "在天猫买的也是正品吧")  # asks authenticity: answered
    assert "防伪码" in genuine[1], genuine


async def test_whether_the_serum_has_alcohol_is_answered_from_the_answer_that_says_so(wanzi, wecom, clock) -> None:
    """Found in the sandbox: "你好 想问一下你们的精华液有没有酒精" got the honest "I don't know" although the
    pregnancy entry's answer says "柚见全线不含酒精" (persona/facts.py); a question about a scent, which no
    answer names, still goes to a colleague."""
    (answer,) = await told(wanzi, wecom, clock, "wmUnd320", "你好 想问一下你们的精华液有没有酒精")
    assert answer[0] == "reply.faq" and "不含酒精" in answer[1], answer
    assert await count(wanzi, UnansweredQuestion) == 0
    (reply,) = await told(wanzi, wecom, clock, "wmUnd321", "你们的精华液含不含香精")
    assert reply[0] in ("reply.unknown", "reply.fallback") and "酒精" not in reply[1], reply
    assert await count(wanzi, UnansweredQuestion) == 1
