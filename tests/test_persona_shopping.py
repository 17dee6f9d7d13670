"""A customer about to buy, with no question ("我想给闺蜜买个生日礼物", "想买个面霜"): the knowledge
base's entry when one fits, else the persona asks back what a recommendation needs — never the
bare "收到～" a statement gets, never "I'll ask a colleague". Demo knowledge base, interest preset."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Ticket, UnansweredQuestion
from storage.repos.replies import KnowledgeRepo
from tests import escalation_kit as kit
from tests.chat_kit import count, say
from tests.test_questions import PROMISE

clock, bot = kit.clock, kit.bot  # Monday 10:00; the demo knowledge base (persona/faq.toml)

CHAT_LINES = ("还有什么想跟小柚说的", "想聊什么都可以")  # chat.other: a statement's reply
# reply.shopping(_for) of the interest preset; "最想改善": reply.shopping for the customer themself (the "self" slot)
ASKED_BACK = ("自己用还是送人", "给谁的", "油皮还是敏感肌", "最想改善")


async def test_a_wish_to_buy_is_asked_back_what_a_recommendation_needs(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")  # a colleague could be promised: still no promise
    for n, text in enumerate(("我想给闺蜜买个生日礼物", "给我妈挑个礼物", "打算入手一支口红", "想送我妈一套护肤品")):
        (reply,) = await say(bot, wecom, f"wmShop{n:04d}", text)
        assert any(a in reply for a in ASKED_BACK), (text, reply)
        assert not any(c in reply for c in CHAT_LINES + PROMISE), (text, reply)
    assert await count(bot, UnansweredQuestion) == 0 and await count(bot, Ticket) == 0


async def test_a_wish_to_buy_the_knowledge_base_knows_gets_its_entry(bot, wecom, clock) -> None:
    async with bot.sessions.begin() as s:
        await KnowledgeRepo(s).add(["生日礼物送什么好", "送闺蜜什么礼物", "有礼盒吗"],
                                   "柚见生日礼盒含面霜和精华小样，送闺蜜很合适，还能免费刻字～",
                                   now=clock.now(), created_by="chen.jing")
    (reply,) = await say(bot, wecom, "wmShop0101", "我想给闺蜜买个生日礼物")
    assert "生日礼盒" in reply, reply
    (cream,) = await say(bot, wecom, "wmShop0102", "想买个柚润保湿霜")  # the demo base's face cream, by name
    assert "柚润保湿霜" in cream, cream
    (dry,) = await say(bot, wecom, "wmShop0103", "我是干皮，想买个面霜")  # told us the skin type as well
    assert "柚润保湿霜" in dry, dry


async def test_a_wish_to_buy_asking_for_a_pick_is_asked_back_too_but_a_price_question_is_not(bot, wecom) -> None:
    for n, text in enumerate(("我想给我妈买个礼物，有推荐吗", "想送男朋友点东西，送什么好")):
        (reply,) = await say(bot, wecom, f"wmShop03{n:02d}", text)
        assert any(a in reply for a in ASKED_BACK), (text, reply)
        assert not any(p in reply for p in PROMISE), (text, reply)
    replies = await say(bot, wecom, "wmShop0399", "想给我妈买个按摩仪，多少钱")  # a fact the base lacks
    assert not any(a in r for a in ASKED_BACK for r in replies), replies
    assert await count(bot, UnansweredQuestion) == 1


async def test_a_purchase_made_or_refused_is_not_taken_for_a_wish_to_buy(bot, wecom) -> None:
    for n, text in enumerate(("我上周买了你们的面霜", "不想买了")):
        (reply,) = await say(bot, wecom, f"wmShop02{n:02d}", text)
        assert not any(a in reply for a in ASKED_BACK), (text, reply)


async def test_a_wish_naming_whom_it_is_for_is_not_asked_whom_again(bot, wecom) -> None:
    (reply,) = await say(bot, wecom, "wmShop0401", "给我妈挑个礼物")
    assert "妈妈" in reply and "给谁" not in reply and "自己用还是送人" not in reply, reply


async def test_the_details_asked_for_are_taken_with_the_wish_never_as_a_tag_note(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await say(bot, wecom, "wmShop0501", "我想给闺蜜买个生日礼物")
    (told,) = await say(bot, wecom, "wmShop0501", "她是敏感肌 预算300左右")
    assert "：敏感肌" not in told, told  # the tag note ("小柚记下啦：敏感肌") answered the details before
    async with bot.sessions() as s:
        queued = [q.text for q in (await s.scalars(select(UnansweredQuestion))).all()]
    # the demo base has no gift or sensitive-skin entry: the wish and the details together wait for a
    # colleague, who was promised (dry skin would get the dry-skin cream: routes.recommend)
    assert queued == ["我想给闺蜜买个生日礼物，她是敏感肌 预算300左右"], queued
    assert any(p in told for p in PROMISE), told


async def test_staff_side_labels_are_never_said_back_to_the_customer(bot, wecom) -> None:
    for n, text in enumerate(("领券", "行 晚点下单", "订单号 2026030812345678")):
        replies = await say(bot, wecom, f"wmShop06{n:02d}", text)
        assert not any(label in r for r in replies for label in ("询价", "高意向", "售后")), (text, replies)


async def test_a_pick_asked_right_after_telling_the_skin_type_is_asked_for_that_skin_type(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    (noted,) = await say(bot, wecom, "wmShop0701", "我皮肤有点敏感 换季老是泛红")
    assert "敏感肌" in noted, noted
    (reply,) = await say(bot, wecom, "wmShop0701", "有什么产品推荐吗")
    # the demo base has no sensitive-skin entry: no unrelated 猜你想问, the staff get the question with the skin type
    assert "回复数字" not in reply and any(p in reply for p in PROMISE), reply
    async with bot.sessions() as s:
        queued = [q.text for q in (await s.scalars(select(UnansweredQuestion))).all()]
    assert queued == ["敏感肌，有什么产品推荐吗"], queued
    for n, text in enumerate(("推荐个面霜呗", "有啥适合我的")):
        (told,) = await say(bot, wecom, f"wmShop08{n:02d}", "我是干皮")
        assert "干皮" in told, told
        (pick,) = await say(bot, wecom, f"wmShop08{n:02d}", text)
        assert "柚润保湿霜" in pick, (text, pick)


async def test_a_pick_with_no_skin_type_told_is_not_given_one(bot, wecom) -> None:
    (reply,) = await say(bot, wecom, "wmShop0901", "有啥适合我的")
    assert "柚润保湿霜" not in reply, reply
    async with bot.sessions() as s:
        queued = [q.text for q in (await s.scalars(select(UnansweredQuestion))).all()]
    assert not any("，" in q for q in queued), queued


async def test_a_pick_later_on_uses_the_skin_type_the_customers_tags_name(bot, wecom, clock) -> None:
    await say(bot, wecom, "wmShop1001", "我是干皮")
    clock.advance(3600)  # long after the acknowledgement: the tag still tells
    (pick,) = await say(bot, wecom, "wmShop1001", "有啥适合我的")
    assert "柚润保湿霜" in pick, pick


async def test_asked_for_her_own_favourite_or_told_they_know_nothing_the_persona_asks_back(bot, wecom) -> None:
    """"小柚你自己最喜欢哪款", "女朋友生日想送护肤品 我啥也不懂": a pick is wanted; what suits them is asked."""
    asked = ("小柚你自己最喜欢哪款呀", "你觉得哪款最好用", "直男求助 女朋友生日想送护肤品 我啥也不懂")
    for n, text in enumerate(asked):
        (reply,) = await say(bot, wecom, f"wmYours{n:03d}", text)
        assert any(a in reply for a in ASKED_BACK), (text, reply)
        assert not any(c in reply for c in CHAT_LINES + PROMISE + ("答不上来",)), (text, reply)


async def test_combination_skin_with_dry_cheeks_gets_the_cream_for_the_dry_part(bot, wecom) -> None:
    """"混油皮" names combination skin, not the oily skin inside the word; "两颊会干" names dryness."""
    (asked,) = await say(bot, wecom, "wmMixed001", "小柚你自己最喜欢哪款呀")
    assert any(a in asked for a in ASKED_BACK), asked
    (reply,) = await say(bot, wecom, "wmMixed001", "我混油皮 但是冬天两颊会干")
    assert "柚润保湿霜" in reply and "答不上来" not in reply, reply


async def test_where_to_buy_is_told_the_channels_but_a_store_in_a_city_is_not_guessed(bot, wecom) -> None:
    for n, text in enumerate(("怎么买", "在哪买", "哪里能买到", "京东能买吗", "除了小程序还能在哪买")):
        (reply,) = await say(bot, wecom, f"wmBuy{n:04d}", text)
        assert all(c in reply for c in ("小程序", "天猫", "京东", "门店")), (text, reply)
    (decided,) = await say(bot, wecom, "wmBuyDone", "好的 那我就网上买吧")
    assert "小程序" not in decided, decided  # a decision told, not a question: not the channels again
    for n, text in enumerate(("杭州有门店吗", "你们上海有实体店吗 想去试试", "门店在哪")):
        (reply,) = await say(bot, wecom, f"wmStore{n:04d}", text)
        assert "也可以到门店购买" not in reply and "1. 怎么买" not in reply, (text, reply)  # where: not in the base


async def test_a_gift_wish_that_names_the_skin_type_gets_the_pick_not_a_question_for_it(bot, wecom) -> None:
    """The sandbox's husband: "皮肤有点干" was told, so the persona recommends instead of asking the skin type."""
    (reply,) = await say(bot, wecom, "wmGift35", "你好 我想给我媳妇买个生日礼物 她三十五 皮肤有点干")
    assert "柚润保湿霜" in reply and not any(a in reply for a in ASKED_BACK), reply
