"""Small talk, feelings and media get a fitting reply in the persona's voice — never the "I'll ask
a colleague" promise, and never recorded as unanswered questions."""

from __future__ import annotations

from datetime import datetime
from typing import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from handlers.replies.smalltalk import Intent, classify
from storage.models import Ticket, UnansweredQuestion
from tests.harness import BotUnderTest, make_config

SH = ZoneInfo("Asia/Shanghai")
FALLBACK = ("问问专业的同事", "请同事确认", "找懂行的同事")  # the shipped fallback's phrasings


def at(hour: int) -> float:
    return datetime(2026, 3, 10, hour, 5, tzinfo=SH).timestamp()


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(at(10))
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def reply_to(bot: BotUnderTest, wecom, ext: str, text: str) -> str:
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    replies = wecom.customer_inbox(ext)[before:]
    assert len(replies) == 1, replies
    reply: str = replies[0]
    return reply


SMALL_TALK = ["你好", "在吗", "谢谢你呀", "谢谢你这么贴心", "你们服务真好", "哈哈哈哈", "拜拜", "晚安", "今天好累",
              "今天心情不好，好难过",
              "[微笑]", "😂😂", "好的", "嗯嗯", "收到", "今天天气真好", "我回来啦", "中午好", "辛苦啦",
              # a sandbox trial's customers: about to ask, calling us by name, thanks with love
              "亲，请问一下", "请问一下", "请问有人吗", "亲在吗", "谢谢小柚，爱你"]


async def test_small_talk_is_answered_as_a_person_would_and_never_kept_as_a_question(wanzi, wecom) -> None:
    for n, text in enumerate(SMALL_TALK):
        reply = await reply_to(wanzi, wecom, f"wmChat{n:04d}", text)
        assert not any(p in reply for p in FALLBACK), (text, reply)
    async with wanzi.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_a_greeting_knows_the_time_of_day(wanzi, wecom, clock) -> None:
    clock.set(at(8))
    morning = await reply_to(wanzi, wecom, "wmEarly001", "你好")
    clock.set(at(23))
    night = await reply_to(wanzi, wecom, "wmLate0001", "你好")
    assert "早" in morning and ("晚" in night or "夜" in night)


async def test_feelings_get_warmth_and_anger_is_offered_a_person(wanzi, wecom) -> None:
    tired = await reply_to(wanzi, wecom, "wmFeel0001", "今天好累")
    assert "辛苦" in tired or "休息" in tired
    sad = await reply_to(wanzi, wecom, "wmFeel0002", "今天心情不好")
    assert "抱抱" in sad or "在这" in sad
    angry = await reply_to(wanzi, wecom, "wmFeel0003", "气死我了")
    assert "人工" in angry and ("抱歉" in angry or "气" in angry)


async def test_asked_whether_it_is_a_robot_the_persona_is_honest(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmRobot001", "你是机器人吗")
    assert "AI" in reply and "人工" in reply and "柚见" in reply
    async with wanzi.sessions() as s:  # small talk opens no ticket, not even for a VIP's "question"
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0


async def test_questions_about_the_persona_in_a_row_never_get_the_same_line_twice_running(wanzi, wecom) -> None:
    asked = ("你是机器人吗", "你老板给你发工资不", "那你平时喜欢吃啥", "你一天要回多少人消息啊 不累吗")
    replies = [await reply_to(wanzi, wecom, "wmRobot002", text) for text in asked]
    assert all("AI" in r and "人工" in r for r in replies), replies  # honest each time, a person one word away
    assert all(a != b for a, b in zip(replies, replies[1:], strict=False)), replies  # not a recording


async def test_a_question_with_a_greeting_is_still_answered_from_the_knowledge_base(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmMixed001", "你好，请问多久发货")
    assert "48 小时内" in reply


async def test_photos_and_voice_messages_get_a_fitting_reply(wanzi, wecom) -> None:
    await wecom.customer_sends_image("wmMedia001")
    await wanzi.drain()
    photo = wecom.customer_inbox("wmMedia001")[-1]
    assert "图片" in photo and not any(p in photo for p in FALLBACK)
    await wecom._customer_writes("wmMedia002", None, {"msgtype": "voice", "voice": {"media_id": "MEDIAvoice01"}},
                                 shown="[语音]", via="customer_sends_voice")
    await wanzi.drain()
    assert "语音" in wecom.customer_inbox("wmMedia002")[-1]


async def test_a_photo_after_a_check_in_is_its_proof_and_the_persona_says_so(db_url, wecom, clock) -> None:
    clock.set(at(10))
    today = datetime.fromtimestamp(at(10), SH).date().isoformat()
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, checkin={
        "window": "06:00-23:00", "campaigns": [{"key": "c7", "name": "7天打卡", "start": today, "days": 7}]}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await wecom.customer_says("wmProof001", "打卡")
        await bot.drain()
        await wecom.customer_sends_image("wmProof001")
        await bot.drain()
        assert "打卡照片" in wecom.customer_inbox("wmProof001")[-1]
    finally:
        await bot.stop()


@pytest.mark.parametrize(("text", "intent"), [
    ("今天上班被老板说了一顿，有点烦", Intent.SAD), ("好烦啊", Intent.SAD), ("好的谢啦", Intent.THANKS),
    ("谢啦", Intent.THANKS), ("嗯嗯谢谢你", Intent.THANKS), ("谢谢安慰哈", Intent.THANKS),
    ("麻烦问下多久发货", None),
    ("在吗在吗", Intent.PRESENCE),
    ("好吧", Intent.ACK), ("好啊", Intent.ACK), ("你真好", Intent.PRAISE), ("太棒了", Intent.PRAISE),
    ("被快递员放错柜子了怎么办", None),
    ("今天开了一天会 脑袋都要炸了", Intent.TIRED), ("忙了一整天 头都大了", Intent.TIRED), ("一天能发货吗", None),
    # fresh-clone sandbox 2026-12-05: "…腿都走断了哈哈" got "哈哈哈被你逗笑了😆"
    ("今天带娃出去玩了一天 腿都走断了哈哈", Intent.TIRED), ("逛了一天 脚都走疼了", Intent.TIRED),
])
def test_everyday_wordings_of_a_bad_day_and_of_thanks(text: str, intent: Intent | None) -> None:
    assert classify(text) == intent


async def test_a_feeling_in_the_customers_own_words_gets_warmth_not_the_chat_line(wanzi, wecom) -> None:
    # No rule word (好累, 没睡好, 气死): the sentence model hears tiredness and anger (handlers/replies/feelings.py).
    tired = await reply_to(wanzi, wecom, "wmFeel0004", "最近工作压力好大，睡不好")
    assert "辛苦" in tired or "休息" in tired, tired
    angry = await reply_to(wanzi, wecom, "wmFeel0005", "第三次问了还是没人回")
    assert "人工" in angry, angry
    worn = await reply_to(wanzi, wecom, "wmFeel0007", "今天上班被客户折腾了一天，累瘫了")
    assert "辛苦" in worn or "休息" in worn, worn
    plain = await reply_to(wanzi, wecom, "wmFeel0006", "我今天去公园散步了")
    assert not any(w in plain for w in ("辛苦", "抱抱", "抱歉", "人工")), plain
    for n, short in enumerate(("1", "都不是")):  # too short to hear a feeling in (no offer was open)
        reply = await reply_to(wanzi, wecom, f"wmFeel001{n}", short)
        assert not any(w in reply for w in ("气坏", "抱歉", "不开心")), (short, reply)


def texts_of(key: str) -> set[str]:
    """The shipped preset's phrasings of a chat template, as the customer reads them."""
    from persona.loader import default_persona_path, load_persona

    persona = load_persona(default_persona_path("interest"))
    return {persona.render(key, seed=str(n), name="").text for n in range(40)}


async def test_a_greeting_before_noon_is_never_good_afternoon(wanzi, wecom, clock) -> None:
    clock.set(datetime(2026, 3, 10, 11, 44, tzinfo=SH).timestamp())
    reply = await reply_to(wanzi, wecom, "wmNoon0001", "你好")
    assert "下午" not in reply and "中午" in reply


async def test_the_customers_own_time_of_day_is_echoed_or_met_warmly(wanzi, wecom, clock) -> None:
    clock.set(datetime(2026, 3, 10, 23, 30, tzinfo=SH).timestamp())  # the clock says night; they say 晚上好
    late = await reply_to(wanzi, wecom, "wmTod00001", "晚上好")
    assert "晚上好" in late
    clock.set(at(15))  # 早上好 at 15:05: a warm hello, neither 下午好 nor a correction
    afternoon = await reply_to(wanzi, wecom, "wmTod00002", "早上好")
    assert not any(word in afternoon for word in ("下午", "早", "其实", "已经"))
    assert afternoon in texts_of("chat.greeting")


@pytest.mark.parametrize("hour", [8, 15, 21])
async def test_every_greeting_gets_the_greeting_of_the_local_time_and_a_wrong_one_a_warm_hello(
        wanzi, wecom, clock, hour: int) -> None:
    clock.set(at(hour))
    words = {8: "早", 15: "下午", 21: "晚"}
    for n, hello in enumerate(("晚上好", "早上好呀", "下午好", "哈喽", "你好呀", "哈喽 晚上好呀")):
        reply = await reply_to(wanzi, wecom, f"wmHour{hour:02d}{n}", hello)
        assert reply in texts_of_at("chat.greeting", hour) | texts_of("chat.greeting"), (hello, reply)
        named = {"晚上好": 21, "早上好呀": 8, "下午好": 15, "哈喽 晚上好呀": 21}.get(hello)
        if named is None or named == hour:  # no time named, or the one it is: the local time's greeting
            assert words[hour] in reply, (hour, hello, reply)
        else:  # 早上好 at 21:05: warm, neither corrected nor echoed
            assert not any(w in reply for w in ("早", "下午", "晚", "其实")), (hour, hello, reply)
    late = await reply_to(wanzi, wecom, f"wmHour{hour:02d}9", "晚上好 在吗")
    assert late in texts_of_at("chat.greeting", hour) | texts_of("chat.greeting"), late  # greeted, not "在的～"
    assert (hour != 21 or "晚上好" in late), late


@pytest.mark.parametrize("hello", ["晚上好呀 还没睡呢", "晚上好 你还没睡呀", "早上好呀 起这么早"])
async def test_a_greeting_with_a_word_on_the_hour_is_greeted_back(wanzi, wecom, clock, hello: str) -> None:
    # fresh-clone sandbox 2026-12-05: "晚上好呀 还没睡呢" got "哈哈这个可超出小柚的知识范围啦😅"
    clock.set(at(21))
    reply = await reply_to(wanzi, wecom, "wmHourLate1", hello)
    assert reply in texts_of_at("chat.greeting", 21) | texts_of("chat.greeting"), (hello, reply)


def texts_of_at(key: str, hour: int) -> set[str]:
    from persona.loader import default_persona_path, load_persona

    persona = load_persona(default_persona_path("interest"))
    return {persona.render(key, seed=str(n), name="", hour=hour).text for n in range(40)}


async def test_anger_after_the_problem_was_told_is_met_with_an_apology_not_a_question(wanzi, wecom) -> None:
    """"我买的面霜到现在还没发货", then "你们这效率也太低了吧 我很生气": the persona does not ask what the
    problem is, it apologises and offers a person; anger with nothing told before still asks."""
    await reply_to(wanzi, wecom, "wmMad00001", "我买的面霜到现在还没发货")
    angry = await reply_to(wanzi, wecom, "wmMad00001", "你们这效率也太低了吧 我很生气")
    assert "抱歉" in angry and "人工" in angry, angry
    assert not any(w in angry for w in ("什么问题", "发生了什么", "怎么了", "说说", "？", "?")), angry
    await reply_to(wanzi, wecom, "wmMad00002", "你好")
    plain = await reply_to(wanzi, wecom, "wmMad00002", "你们这效率也太低了吧 我很生气")
    assert "人工" in plain and ("什么问题" in plain or "发生了什么" in plain), plain


def test_every_preset_apologises_for_a_told_matter_without_asking_and_offers_a_person() -> None:
    from persona.loader import default_persona_path, load_persona

    for preset in ("interest", "advisor", "expert", "guide"):
        persona = load_persona(default_persona_path(preset))
        for n in range(20):
            told = persona.render("chat.angry", seed=str(n), name="", slot="told").text
            assert "人工" in told and ("抱歉" in told or "对不起" in told), (preset, told)
            assert not any(w in told for w in ("？", "?", "吗", "说说")), (preset, told)


async def test_an_acknowledgement_gets_a_short_ack_and_a_word_about_the_open_question(wanzi, wecom) -> None:
    for n, text in enumerate(("好的，那我等你们消息", "那我等你消息", "行", "知道了", "嗯嗯好的")):
        reply = await reply_to(wanzi, wecom, f"wmAck0000{n}", text)
        assert reply in texts_of("chat.ack"), (text, reply)
    from storage.models import Customer
    from storage.repos.replies import UnansweredRepo

    async with wanzi.sessions.begin() as s:  # a question nobody was there to promise an answer to
        customer = await s.scalar(select(Customer).where(Customer.external_userid == "wmAck00000"))
        UnansweredRepo(s).add(customer.id, "你们老板是哪里人？", now=wanzi.clock.now(), context={"promised": False})
    assert await reply_to(wanzi, wecom, "wmAck00000", "好的，那我等你们消息") in texts_of("chat.ack")
    async with wanzi.sessions.begin() as s:  # one a colleague was promised to answer
        UnansweredRepo(s).add(customer.id, "能开发票吗？", now=wanzi.clock.now(), context={"promised": True})
    reply = await reply_to(wanzi, wecom, "wmAck00000", "好的，那我等你们消息")
    assert "同事" in reply and "这里" in reply


async def test_hello_first_time_here_gets_one_welcome_with_what_the_persona_does(wanzi, wecom) -> None:
    for n, text in enumerate(("哈喽，第一次来", "你好，我是新来的", "第一次来", "哈喽，第一次来，随便看看")):
        reply = await reply_to(wanzi, wecom, f"wmFirst00{n}", text)  # exactly one reply (reply_to checks)
        assert reply in texts_of("chat.first_visit"), (text, reply)
        assert "订单" in reply or "护肤" in reply


@pytest.mark.parametrize("text, intent", [
    ("你好，打扰了", Intent.GREETING), ("哈喽，我来了", Intent.GREETING), ("您好，请问", Intent.GREETING),
    ("你好，我想咨询一下", Intent.GREETING), ("你好你好", Intent.GREETING), ("在忙吗", Intent.PRESENCE),
    ("你好，朋友推荐我来的", Intent.FIRST_VISIT), ("哈喽，刚关注", Intent.FIRST_VISIT),
    ("你好，请问多久发货", None), ("打扰了，请问能退货吗", None), ("第一次买，有优惠吗", None),
    ("亲，请问一下", Intent.PRESENCE), ("请问有人吗", Intent.PRESENCE), ("亲", Intent.PRESENCE),
    ("谢谢小柚，爱你", Intent.THANKS), ("亲，多久发货", None), ("请问一下，能退货吗", None),
])
def test_a_greeting_with_a_little_extra_is_one_greeting_and_a_question_stays_a_question(
        text: str, intent: Intent | None) -> None:
    assert classify(text) == intent
async def test_good_news_gets_shared_joy_not_a_knowledge_base_answer(wanzi, wecom) -> None:
    # "快递" is a knowledge-base word, but "今天收到快递好开心" is joy, not a shipping question.
    glad = await reply_to(wanzi, wecom, "wmJoy00001", "今天收到快递好开心")
    assert "48 小时内" not in glad and "开心" in glad, glad
    assert classify("今天不开心") is Intent.SAD and classify("太高兴了") is Intent.HAPPY
    asked = await reply_to(wanzi, wecom, "wmJoy00002", "好开心，请问多久发货")  # still a question
    assert "48 小时内" in asked, asked


async def test_a_customer_typing_a_staff_command_or_latin_text_is_not_heard_as_angry(wanzi, wecom) -> None:
    for n, text in enumerate(("/erase c1xiaomei", "/broadcast all sale", "ok fine thanks bro")):
        reply = await reply_to(wanzi, wecom, f"wmLatin00{n}", text)
        assert not any(w in reply for w in ("气坏", "抱歉", "不开心", "抱抱")), (text, reply)


async def test_winding_down_gets_a_goodbye_or_an_ok_never_an_apology(wanzi, wecom) -> None:
    # The sentence model heard anger in these; the customer is only leaving.
    for n, text in enumerate(("算了不用了，再见", "我先走了，下次再聊", "没事了，再见")):
        reply = await reply_to(wanzi, wecom, f"wmBye0000{n}", text)
        assert any(w in reply for w in ("拜拜", "回头见")), (text, reply)
    fine = await reply_to(wanzi, wecom, "wmBye00009", "算了，不用了")
    assert not any(w in fine for w in ("气坏", "抱歉", "不开心")), fine
    upset = await reply_to(wanzi, wecom, "wmBye00010", "气死我了，再见")  # still upset: offered a person
    assert "人工" in upset, upset


# Several small-talk clauses: the reply is to the one that means most (smalltalk.PRIORITY), whatever its place.
ACK_LINES = ("还有什么需要随时叫我", "有事随时叫小柚")
MEANT = [("好的，谢谢小柚", ("不客气", "客气啥")), ("嗯嗯好的谢谢", ("不客气", "客气啥")),
         ("哈哈谢谢你", ("不客气", "客气啥")), ("好的晚安", ("晚安",)), ("好的，拜拜", ("拜拜", "回头见")),
         ("你好，今天好累", ("辛苦", "抱抱")), ("好的 谢谢你啦 早点睡哦", ("晚安",))]


async def test_a_message_of_several_small_talk_clauses_gets_the_reply_to_what_it_means(wanzi, wecom) -> None:
    for n, (text, fitting) in enumerate(MEANT):
        reply = await reply_to(wanzi, wecom, f"wmMeant{n:03d}", text)
        assert any(f in reply for f in fitting), (text, reply)
        assert not any(a in reply for a in ACK_LINES), (text, reply)  # not the bare acknowledgement


@pytest.mark.parametrize(("text", "intent"), [
    ("好的，谢谢小柚", Intent.THANKS), ("嗯嗯好的谢谢", Intent.THANKS), ("哈哈谢谢你", Intent.THANKS),
    ("好的晚安", Intent.GOODNIGHT), ("谢谢，晚安", Intent.GOODNIGHT), ("你好，今天好累", Intent.TIRED),
    ("哈哈，气死我了", Intent.ANGRY), ("你好，在吗", Intent.PRESENCE), ("好的，那我等你们消息", Intent.ACK),
    ("好的谢谢，多久发货", None),
    # other words of the dialogue evaluation's dev split, and emoji around a clause
    ("你好呀 请问你是人工吗", Intent.ROBOT), ("明白了 谢谢提醒", Intent.THANKS), ("👌谢谢", Intent.THANKS),
    ("谢谢你听我吐槽", Intent.THANKS), ("好滴 麻烦啦", Intent.THANKS), ("回得好快", Intent.PRAISE),
    # of tests/dialogue_eval/dev3.toml: a short statement ending in thanks or a goodbye is answered for that
    ("好的 谢谢啦 宝宝醒了我先去了", Intent.BYE), ("好 那我去领了 谢了", Intent.THANKS), ("好滴 感恩", Intent.THANKS),
    ("thank u", Intent.THANKS), ("谢谢你啊闺女", Intent.THANKS), ("多谢多谢 辛苦了", Intent.THANKS),
    ("不说了 睡了 晚安", Intent.GOODNIGHT), ("睡啦 明天再聊", Intent.GOODNIGHT), ("小姑娘你好", Intent.GREETING),
    ("这么晚了还在吗", Intent.PRESENCE), ("姐妹在不在", Intent.PRESENCE), ("在吗亲", Intent.PRESENCE),
    ("宝子在吗", Intent.PRESENCE), ("美女你好", Intent.GREETING), ("？", Intent.PRESENCE),
    ("哦 那你能帮我干嘛", Intent.ROBOT), ("你都会些什么？", Intent.ROBOT), ("你会什么时候回复我", None),
    ("谢谢你 听你说完好多了", Intent.THANKS), ("好多了 谢谢小柚", Intent.THANKS),
    ("收到啦！！包装好好看", Intent.PRAISE),
    ("哈哈哈你还挺会安慰人", Intent.PRAISE), ("谢谢 那多久能到", None), ("好 那我去领了 谢了 多久到", None),
    # of tests/dialogue_eval/dev4.toml
    ("爱你么么哒", Intent.PRAISE), ("还挺聪明的嘛", Intent.PRAISE), ("哈哈哈你还挺逗", Intent.PRAISE),
    ("你们家保湿霜真的绝了 用了一个月脸嫩了好多", Intent.PRAISE), ("回复这么慢 你们客服是睡着了吗", Intent.ANGRY),
    ("那你能干嘛", Intent.ROBOT), ("你吃饭了吗", Intent.GREETING), ("睡不着 明天还要上班", Intent.TIRED),
    ("好滴 麻烦啦 我先去睡了", Intent.GOODNIGHT), ("我要睡觉了", Intent.GOODNIGHT),
    # of tests/dialogue_eval/dev5.toml: text stickers beside words, and more forms
    ("懂了 谢谢[抱拳]", Intent.THANKS), ("拜拜[再见]", Intent.BYE), ("谢谢你哈", Intent.THANKS),
    ("好的 你们服务挺好的", Intent.PRAISE), ("哈哈哈哈 回得还挺快", Intent.PRAISE), ("在嘛在嘛", Intent.PRESENCE),
    ("哈喽第一次来", Intent.FIRST_VISIT),
    # of tests/dialogue_eval/dev6.toml: voice input's run-ons, regional words and forms of address, the
    # customer's own slip, questions about the persona herself, impatience and sarcasm
    ("嗯嗯好的谢谢啊拜拜", Intent.BYE), ("好的好的那我等一下", Intent.ACK),
    ("好的，明白了，非常感谢您的耐心解答。", Intent.THANKS), ("巴适 谢谢了哈", Intent.THANKS),
    ("唔该晒", Intent.THANKS), ("中 知道了", Intent.ACK), ("谢谢老妹儿", Intent.THANKS),
    ("妹子 在不", Intent.PRESENCE), ("人呢", Intent.PRESENCE), ("人呢人呢", Intent.PRESENCE),
    ("刚才发错了 不好意思", Intent.ACK), ("记住了没", Intent.ACK), ("那我先睡了晚安", Intent.GOODNIGHT),
    ("你几岁了", Intent.ROBOT), ("你是男的还是女的", Intent.ROBOT), ("快点啊 急用", Intent.ANGRY),
    ("行 你们真行", Intent.ANGRY), ("呵呵 你们发货可真快啊 一个礼拜了还没动静", Intent.ANGRY),
    ("急用 多久能到", None), ("快递多久到拜拜", None), ("你几岁开始用面霜比较好", None),
    # patience praised beside thanks: "好的谢谢你 真耐心" is thanked, not acknowledged
    ("好的谢谢你 真耐心", Intent.THANKS), ("你真有耐心", Intent.PRAISE), ("没耐心", None),
    # surprised we are there already, and 回头见 as a goodbye (the tenth session's sandbox)
    ("哈喽小柚 这么早就在啦", Intent.PRESENCE), ("一大早的你就上班了", Intent.PRESENCE),
    ("行 谢谢你啦 回头见", Intent.BYE), ("谢谢啦回头见", Intent.BYE), ("那下次见", Intent.BYE),
    ("这么早就发货了吗", None), ("回头见面再说吧 多久发货", None),
    # no hurry after a statement is an ok, never anger ("还没用完呢 不着急" was apologised to)
    ("还没用完呢 不着急", Intent.ACK), ("气死了 不急", Intent.ANGRY), ("多久发货 不急", None),
    ("还没用完呢 不着急 先问问", Intent.ACK), ("我是跑外卖的 风吹日晒的 嘴唇都干裂了", Intent.SAD),
    # of tests/dialogue_eval/dev11.toml: 问下哈, 晓得了, comforted, 栓Q, leaving twice, asking him later
    ("亲 问下哈", Intent.PRESENCE), ("要得 晓得了", Intent.ACK), ("谢谢小柚 被安慰到了", Intent.HAPPY),
    ("栓Q 溜了溜了", Intent.BYE), ("那我问下我老公", Intent.ACK), ("我问下 多久发货", None),
    # the sandbox of 2026-12-05: how it is to use, told, is praise (it got "小柚记下啦：保湿补水")
    ("上个月买的保湿霜用着挺好的", Intent.PRAISE), ("用起来还蛮舒服的", Intent.PRAISE),
    ("用着挺好的 就是有点贵", Intent.PRAISE), ("用着还不错吗", None), ("用着真的好吗 会不会闷痘", None),
    # the late sandbox of 2026-12-05: an early night wished to the persona ("早点睡哦" got "还有什么想跟小柚说的吗")
    ("早点睡哦", Intent.GOODNIGHT), ("你也早点休息", Intent.GOODNIGHT), ("好的 谢谢你啦 早点睡哦", Intent.GOODNIGHT),
    ("小柚也早点休息吧～", Intent.GOODNIGHT), ("早点睡对皮肤好吗", None), ("要早点睡吗", None),
    # the fresh-clone check of 2026-12-05: the answer praised beside thanks ("好的 谢谢你 讲得很清楚" got "小柚在听")
    ("好的 谢谢你 讲得很清楚", Intent.THANKS), ("讲得很清楚", Intent.PRAISE), ("解释得好详细呀", Intent.PRAISE),
    ("讲得清楚吗", None),
])
def test_the_most_meaningful_small_talk_clause_decides(text: str, intent: Intent | None) -> None:
    assert classify(text) == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("你们客服几点上班呀", Intent.STAFF_HOURS), ("周末有人吗", Intent.STAFF_HOURS),
    ("晚上几点之前能找到人工", Intent.STAFF_HOURS), ("国庆放假有人吗", Intent.STAFF_HOURS),
    ("客服什么时候在线", Intent.STAFF_HOURS), ("你好，请问你们晚上有人吗", Intent.STAFF_HOURS),
    ("几点发货", None), ("周末发货吗", None), ("我几点下班", None), ("有人吗", Intent.PRESENCE),
])
def test_asking_when_people_work_is_told_apart_from_delivery_times(text: str, intent: Intent | None) -> None:
    assert classify(text) == intent


async def test_asked_when_people_work_the_persona_says_the_hours_and_how_to_reach_one(wanzi, wecom, clock) -> None:
    """The configured working days and hours, never a hand-off nobody asked for ("几点之前能找到人工"
    asks when) and never "I'll ask a colleague"; out of hours it says when they are back."""
    reply = await reply_to(wanzi, wecom, "wmHours01", "你们客服几点上班呀")
    assert "每天 09:00-21:00" in reply and "人工" in reply  # the tests' config: every day
    assert not any(f in reply for f in FALLBACK)
    from storage.repos import StaffRepo

    async with wanzi.sessions.begin() as s:  # with an advisor, out of hours it says when they are back
        await StaffRepo(s).upsert("adv.hours", role="advisor", now=clock.now())
    clock.set(at(22))
    reply = await reply_to(wanzi, wecom, "wmHours02", "晚上几点之前能找到人工")
    assert "每天 09:00-21:00" in reply and "明天 09:00" in reply
    async with wanzi.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


@pytest.mark.parametrize(("days", "hours", "words"), [
    (("mon", "tue", "wed", "thu", "fri"), "09:00-21:00", "周一至周五 09:00-21:00"),
    (("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "10:00-22:00", "每天 10:00-22:00"),
    (("mon", "wed"), "09:30-18:00", "周一、周三 09:30-18:00"),
])
def test_working_days_are_said_as_a_person_would(days: tuple[str, ...], hours: str, words: str) -> None:
    from handlers.escalation.config import EscalationConfig
    from handlers.escalation.routing import hours_words

    assert hours_words(EscalationConfig(working_days=days, working_hours=hours)) == words


# Of tests/dialogue_eval/dev8.toml: customers in their own words (#13).
async def test_toneless_pinyin_is_read_as_the_words_it_types(wanzi, wecom) -> None:
    """An input method switched off: "fahuo duojiu a" asks when it ships, "xiexie" thanks."""
    shipping = await reply_to(wanzi, wecom, "wmPinyin01", "fahuo duojiu a")
    assert "48 小时内" in shipping, shipping
    shelf = await reply_to(wanzi, wecom, "wmPinyin02", "bao zhi qi ne")  # syllables typed apart too
    assert "保质期 3 年" in shelf, shelf
    thanks = await reply_to(wanzi, wecom, "wmPinyin03", "xiexie")
    assert any(w in thanks for w in ("不客气", "客气啥")), thanks


def test_pinyin_is_written_in_characters_and_english_is_left_alone() -> None:
    from persona.heard import heard

    assert heard("fahuo duojiu a") == "发货多久啊" and heard("请问zhengpin吗") == "请问正品吗"
    assert heard("ganpi yong shenme mianshuang") == "干皮用什么面霜"
    for english in ("thank you", "ok thx", "is it ok for pregnant women?", "hi there", "a", "ma"):
        assert heard(english) == english


async def test_spicy_food_and_a_cats_scratch_are_no_reaction_to_our_products(wanzi, wecom) -> None:
    spicy = await reply_to(wanzi, wecom, "wmSpicy01", "我在吃麻辣烫 辣死了")
    assert not any(w in spicy for w in ("停用", "冲洗", "建议", "同事")), spicy
    story = "今天带我家猫去打疫苗 它吓得一直叫 我手都被抓破了哈哈 对了你们的东西开封了能放多久啊 我怕用不完"
    shelf = await reply_to(wanzi, wecom, "wmSpicy02", story)
    assert "12 个月" in shelf and "停用" not in shelf, shelf
    from handlers.escalation.reactions import _names_symptom

    assert _names_symptom("吃了辣条嘴巴周围肿起来了") and _names_symptom("痒得我都挠破了")  # still symptoms


ACKS = ("还有什么需要随时叫我", "有事随时叫小柚")
CLOSINGS = [("谢了兄弟", ("不客气", "客气啥")), ("猫没事哈 谢谢关心", ("不客气", "客气啥")),
            ("这回真拜拜啦", ("拜拜", "回头见")), ("等下 我先去开个会", ("拜拜", "回头见")),
            ("好的我去试试", ACKS), ("那就听你的", ACKS), ("好吧 那我信你一次", ACKS),
            ("跟你聊完好多了", ("替你开心", "开心就好")), ("小柚吃饭了吗", ("早", "你好", "哈喽")),
            ("行 谢谢你啦 回头见", ("拜拜", "回头见")), ("哈喽小柚 这么早就在啦", ("在的", "在呢"))]


async def test_closings_and_asides_in_the_customers_words_get_their_reply_not_the_chat_line(wanzi, wecom) -> None:
    for n, (text, fitting) in enumerate(CLOSINGS):
        reply = await reply_to(wanzi, wecom, f"wmClose{n:03d}", text)
        assert any(f in reply for f in fitting), (text, reply)
        assert "还有什么想跟小柚说的" not in reply, (text, reply)


async def test_praise_in_internet_slang_is_thanked_not_answered_with_the_cream(wanzi, wecom) -> None:
    for n, text in enumerate(("你们家面霜yyds", "绝绝子", "帮我转告你们老板 面霜真的很好用")):
        reply = await reply_to(wanzi, wecom, f"wmPraise{n:02d}", text)
        assert "柚润保湿霜" not in reply and any(w in reply for w in ("开心", "谢谢", "超棒")), (text, reply)
    assert classify("这个面霜真的很好用吗") is None  # asked, not praised


async def test_upset_with_someone_in_her_life_is_comforted_not_offered_a_person(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmUpset01", "男朋友不记得我生日 我该生气吗")
    assert "人工" not in reply and any(w in reply for w in ("抱抱", "心疼")), reply
    at_us = await reply_to(wanzi, wecom, "wmUpset02", "你们客服气死我了")  # upset with us: still a person
    assert "人工" in at_us, at_us


def test_a_question_beside_a_tired_word_is_still_a_question() -> None:
    assert classify("熬夜脸特别干 用啥补救一下") is None
    assert classify("又熬夜了 两点了还睡不着") is Intent.TIRED and classify("好累啊 怎么办") is Intent.TIRED


async def test_a_repurchase_is_praise_and_passing_the_answer_on_is_an_ok(wanzi, wecom) -> None:
    loyal = await reply_to(wanzi, wecom, "wmLoyal01", "已经回购三瓶了")
    assert "还有什么想跟小柚说的" not in loyal and any(w in loyal for w in ("开心", "谢谢", "超棒")), loyal
    passed = await reply_to(wanzi, wecom, "wmLoyal02", "好 我截图给她")
    assert any(a in passed for a in ACKS), passed


async def test_arriving_by_a_day_is_asked_as_the_days_delivery_takes(wanzi, wecom) -> None:
    """"周五之前能到北京吗": the shipping answer gives the days, the customer counts; never "I don't know"."""
    for n, text in enumerate(("周五之前能到北京吗", "下周五前可以收到不", "明天能到吗")):
        reply = await reply_to(wanzi, wecom, f"wmByDay{n:02d}", text)
        assert "2-4 天" in reply and "答不上来" not in reply, (text, reply)
    from persona.wording import plain

    assert plain("周五之前能到北京吗 我要送人") == "周五之前能到北京吗 我要送人"  # more than the one clause: as asked


async def test_a_very_bad_mood_is_comforted_not_cheered(wanzi, wecom) -> None:
    """"心情好差" is 心情 + 好差 (very bad): never "开心就好呀"; a good mood still gets shared joy."""
    bad = await reply_to(wanzi, wecom, "wmMood01", "唉 今天心情好差 被老板骂了一顿")
    assert any(w in bad for w in ("抱抱", "心疼")) and "开心就好" not in bad, bad
    assert classify("心情很糟") is Intent.SAD and classify("今天心情超好") is Intent.HAPPY


async def test_teasing_her_about_being_a_program_gets_her_own_answer_not_a_laugh(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmTease01", "你也不用吃饭吧哈哈")
    assert classify("你也不用吃饭吧哈哈") is Intent.ROBOT and "逗笑" not in reply, reply
    assert classify("我不用吃饭") is None and classify("你们不用上班吗") is None  # herself only, not us


async def test_another_brands_cream_that_hurt_her_skin_gets_sympathy_and_a_patch_test_not_our_cream(
        wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmElse01", "之前用别的牌子的面霜脸痒了好几天")
    assert "柚润保湿霜" not in reply and "耳后" in reply and any(w in reply for w in ("心疼", "难受")), reply
    from handlers.escalation.rules import reacted_elsewhere

    assert reacted_elsewhere("之前用别家的面霜 脸红了一片 好几天才退")  # the sandbox's words
    assert not reacted_elsewhere("别家的口红颜色不好看")  # no discomfort told
    assert not reacted_elsewhere("之前用别家的面霜过敏了 有温和一点的吗")  # asked: a question
    assert not reacted_elsewhere("用了你们的面霜也痒 别家的也痒")  # ours named: a reaction to report


async def test_a_cream_nearly_used_up_is_welcomed_back_not_noted_as_a_tag(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmRestock1", "我又来啦 上个月在你们这买的保湿霜快用完了")
    assert "欢迎回来" in reply and "记下" not in reply, reply


def test_a_product_bought_again_and_again_is_praise_not_a_tag() -> None:
    # the sandbox of 2026-12-05: "保湿霜回购第三瓶了" got "好嘞，保湿补水，小柚记住了～"
    for said in ("保湿霜回购第三瓶了", "这款已经回购三瓶了！", "回购好几次了"):
        assert classify(said) is Intent.PRAISE, said
    assert classify("保湿霜回购有优惠吗") is not Intent.PRAISE  # asked: a question


async def test_used_up_and_buying_the_same_again_is_welcomed_back_not_asked_about_their_skin(wanzi, wecom) -> None:
    """The sandbox of 2026-12-05: "我上次买的那个乳液用完了 想回购" was asked skin type, trouble and budget."""
    reply = await reply_to(wanzi, wecom, "wmAgain01", "我上次买的那个乳液用完了 想回购")
    assert "欢迎回来" in reply and "肤质" not in reply and "预算" not in reply, reply
    again = await reply_to(wanzi, wecom, "wmAgain02", "面霜快用完了 想再囤两瓶")
    assert "肤质" not in again and "预算" not in again, again
    other = await reply_to(wanzi, wecom, "wmAgain03", "乳液用完了 这次想换个别的试试")  # another one: a pick
    assert "欢迎回来" not in other and "肤质" in other, other


async def test_a_weather_beaten_face_told_by_a_delivery_rider_is_comforted(wanzi, wecom) -> None:
    reply = await reply_to(wanzi, wecom, "wmRider01", "我是跑外卖的 天天在外面晒 脸都晒脱皮了")
    assert any(w in reply for w in ("抱抱", "心疼")), reply
    assert classify("脸都晒脱皮了 用什么好") is None  # asked: a question for the knowledge base


async def test_asking_whether_a_product_works_as_heard_is_never_offered_the_authenticity_entry(wanzi, wecom) -> None:
    """"…挺好用的 真的假的" asks about the effect (no entry of the demo base speaks of it), not about fakes."""
    reply = await reply_to(wanzi, wecom, "wmHeard01", "听我同事说你们家精华挺好用的 真的假的")
    assert "是正品吗" not in reply and "防伪" not in reply, reply


async def test_used_up_and_wanting_something_else_is_asked_what_suits_then_a_past_reaction_gets_sympathy(
        wanzi, wecom) -> None:
    """The sandbox's returning customer: not "回购直接下单就好" when she wants another; her story of another brand's
    serum is no details for the pick just asked."""
    wish = await reply_to(wanzi, wecom, "wmElse03", "我又来啦 上次买的面霜用完了 这次想试试别的")
    assert "回购" not in wish and "肤质" in wish, wish
    story = await reply_to(wanzi, wecom, "wmElse03", "对了 我之前用别人家的精华 脸上冒了好多闭口")
    assert "耳后" in story and "答不上来" not in story, story


async def test_a_product_praised_for_how_it_is_to_use_is_thanked_not_noted_as_a_tag(wanzi, wecom) -> None:
    """The sandbox of 2026-12-05: "上个月买的保湿霜用着挺好的" got "收到～小柚记下啦：保湿补水…" (the tag it named)."""
    said = await reply_to(wanzi, wecom, "wmUsed01", "上个月买的保湿霜用着挺好的")
    assert "记下" not in said and any(w in said for w in ("开心", "谢谢", "超棒")), said
