"""The persona understands what a customer says before a person is asked: a denied reaction ("不是过敏")
or the customer's own condition ("我对酒精过敏，能用吗") gets no safety advice and no 敏感肌 tag from the
denied word; words that only look like a symptom ("拉黑", "小红书", "红包") are not one; the shipped
sensitive topics (冒充诈骗, 商务合作, 个人信息) hand off to a person unless the customer declines, and
an operator can remove them."""

from __future__ import annotations

import pytest

from storage.repos import TagRepo
from tests import escalation_kit as kit
from tests.harness import BotUnderTest

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


async def tag_names(bot: BotUnderTest, ext: str) -> set[str]:
    customer = await kit.find_customer(bot, ext)
    async with bot.sessions() as s:
        return {t.name for t in await TagRepo(s).of_customer(customer.id)}


async def say(bot: BotUnderTest, wecom, ext: str, text: str) -> list[str]:
    await wecom.customer_says(ext, text)
    await bot.drain()
    inbox: list[str] = wecom.customer_inbox(ext)
    return inbox


def no_safety_advice(inbox: list[str]) -> bool:
    return bool(inbox) and all("停用" not in text and "清水" not in text for text in inbox)


@pytest.mark.parametrize("words", ["不是过敏，就是有点干", "没有过敏，只是想问问", "用了没过敏"])
async def test_a_denied_reaction_gets_no_safety_advice_and_no_sensitive_skin_tag(bot, wecom, words: str) -> None:
    inbox = await say(bot, wecom, "wmDeny0001", words)
    assert no_safety_advice(inbox)
    assert await kit.tickets(bot) == []
    assert "敏感肌" not in await tag_names(bot, "wmDeny0001")
    assert all("敏感肌" not in text for text in inbox)  # not "记好了：敏感肌"


async def test_the_sensitive_skin_tag_still_comes_from_a_customer_who_says_so(bot, wecom) -> None:
    await say(bot, wecom, "wmDeny0002", "我是敏感肌，一换季就泛红")
    assert "敏感肌" in await tag_names(bot, "wmDeny0002")


@pytest.mark.parametrize("words", ["我对酒精过敏，能用吗", "对香精过敏的人可以用吗", "我对花粉过敏",
                                   "我一到春天就花粉过敏"])
async def test_the_customers_own_allergy_is_a_condition_not_a_reaction(bot, wecom, words: str) -> None:
    inbox = await say(bot, wecom, "wmCond0001", words)
    assert no_safety_advice(inbox)
    assert [t.reason for t in await kit.tickets(bot) if t.reason.startswith("sensitive")] == []


@pytest.mark.parametrize("words", ["用了你们的面霜脸上过敏起疹子了", "涂完脸红发痒", "我好像对你们的面霜过敏了",
                                   "用了以后才发现我对酒精过敏，脸上全是红点"])
async def test_a_real_reaction_still_gets_the_safety_advice_and_a_person(bot, wecom, words: str) -> None:
    await kit.on_duty(bot, "li.na")
    advice, *_ = await say(bot, wecom, "wmCond0002", words)
    assert "停用" in advice and "清水" in advice
    assert [t.reason for t in await kit.tickets(bot)] == ["sensitive:过敏"]


@pytest.mark.parametrize("words", ["用了一次就拉黑了", "在小红书上看到你们的面霜", "领了红包以后",
                                   "上次的红包用了没有", "新人红利用完了", "买了网红款用了一次"])
async def test_words_that_only_look_like_a_symptom_are_not_a_reaction(bot, wecom, words: str) -> None:
    inbox = await say(bot, wecom, "wmLook0001", words)
    assert no_safety_advice(inbox)
    assert [t.reason for t in await kit.tickets(bot) if t.reason == "sensitive:过敏"] == []


@pytest.mark.parametrize("words,topic", [
    ("有个自称你们客服的人让我转账", "冒充诈骗"),
    ("有人冒充你们的客服说给我退款", "冒充诈骗"),  # a scam told as a refund is a scam
    ("你们招代理吗", "商务合作"),
    ("我们公司想和你们谈个合作", "商务合作"),
    ("想了解一下加盟", "商务合作"),
    ("请删除我的个人信息", "个人信息"),
    ("你们怎么有我的手机号", "个人信息"),
    ("我想看看你们存了我哪些资料", "个人信息"),
    ("你们是怎么拿到我微信的 我都没加过你们", "个人信息"),
])
async def test_the_shipped_sensitive_topics_hand_off_to_a_person(bot, wecom, words: str, topic: str) -> None:
    await kit.on_duty(bot, "li.na")
    inbox = await say(bot, wecom, "wmTopic001", words)
    (ticket,) = await kit.tickets(bot)
    assert (ticket.reason, ticket.advisor_userid) == (f"sensitive:{topic}", "li.na")
    assert "李娜" in inbox[-1]  # the persona's hand-off line names the advisor
    assert ticket.question == words


async def test_someone_claiming_to_be_our_staff_gets_a_warning_not_the_returns_policy(bot, wecom) -> None:
    """"自称你们客服让我转账退款" names a refund, but the customer needs "do not transfer" first, and a
    person; the returns answer would help the scammer."""
    await kit.on_duty(bot, "li.na")
    inbox = await say(bot, wecom, "wmScam0001", "刚刚有人加我微信说是你们的客服 让我转账退款")
    assert "别转账" in inbox[0] and "原路退回" in inbox[0]
    assert not any("7 天" in text for text in inbox)  # not the returns entry
    assert "李娜" in inbox[-1]
    (ticket,) = await kit.tickets(bot)
    assert ticket.reason == "sensitive:冒充诈骗"


@pytest.mark.parametrize("words", ["刚才有人打电话说是柚见客服 说我订单有问题要给我退款 让我加他QQ",
                                   "有个人自称是官方售后 说要赔偿我 让我点一个链接",
                                   "对方说是你们店铺的 要我把验证码发给他"])
async def test_a_caller_claiming_to_be_us_gets_the_warning_even_without_transfer_words(bot, wecom, words: str) -> None:
    """The classic refund scam names the shop by its own name ("柚见客服"), a refund or compensation,
    and a next step off this chat (QQ, a link, a code), not a transfer: still the warning first, never
    the returns policy, then a person."""
    await kit.on_duty(bot, "li.na")
    inbox = await say(bot, wecom, "wmScam0002", words)
    assert "别转账" in inbox[0] and "原路退回" in inbox[0], inbox
    assert not any("7 天" in text for text in inbox)
    assert "李娜" in inbox[-1]
    (ticket,) = await kit.tickets(bot)
    assert ticket.reason == "sensitive:冒充诈骗"


async def test_asking_for_a_refund_names_no_impostor_and_stays_a_refund(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    inbox = await say(bot, wecom, "wmScam0003", "我要退款")
    assert all("别转账" not in text for text in inbox)
    (ticket,) = await kit.tickets(bot)
    assert ticket.reason == "sensitive:退款"


@pytest.mark.parametrize("words", ["我是敏感肌 最近烂脸期 你们家有适合的吗", "最近脸过敏泛红 有什么推荐的吗"])
async def test_the_customers_own_skin_told_to_ask_for_a_product_is_no_reaction(bot, wecom, words: str) -> None:
    inbox = await say(bot, wecom, "wmCond0003", words)
    assert no_safety_advice(inbox)
    assert [t.reason for t in await kit.tickets(bot) if t.reason == "sensitive:过敏"] == []


async def test_a_reaction_to_our_cream_with_a_question_still_gets_the_safety_advice(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    advice, *_ = await say(bot, wecom, "wmCond0004", "用了你们的面霜烂脸了 还能用吗")
    assert "停用" in advice and "清水" in advice
    assert [t.reason for t in await kit.tickets(bot)] == ["sensitive:过敏"]


@pytest.mark.parametrize("words", ["不用合作了", "不需要代理", "暂时不考虑加盟", "这个是和迪士尼的合作款吗",
                                   "有适合商务送礼的吗", "学生党 有没有便宜点的"])
async def test_declining_or_a_lookalike_is_not_handed_off(bot, wecom, words: str) -> None:
    await kit.on_duty(bot, "li.na")
    inbox = await say(bot, wecom, "wmTopic002", words)
    assert inbox and all("李娜" not in text for text in inbox)
    assert await kit.tickets(bot) == []


async def test_haggling_still_goes_to_a_person(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await say(bot, wecom, "wmTopic003", "两瓶一起买 便宜点的话我就下单")
    (ticket,) = await kit.tickets(bot)
    assert ticket.reason == "sensitive:议价"


own_topics_bot = kit.bot_fixture(sensitive_topics=["退款:退款|退货"])


async def test_an_operator_can_remove_the_shipped_topics(own_topics_bot, wecom) -> None:
    await kit.on_duty(own_topics_bot, "li.na")
    for n, words in enumerate(["你们招代理吗", "请删除我的个人信息", "有人冒充你们的客服"]):
        await wecom.customer_says(f"wmTopic10{n}", words)
    await own_topics_bot.drain()
    assert [t.reason for t in await kit.tickets(own_topics_bot)
            if t.reason.startswith("sensitive")] == []
