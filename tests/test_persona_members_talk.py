"""What a brand's members say in chat (issue #13, dev27): their points asked after an ok, a camp's day asked
without its name, a missed day "忘了打", their own parcel asked A-not-A, a pick's kind confirmed right after it, the
way to the shop told after its address, a laugh, a cheer, a try, a plan with a day, and English small talk beyond
greetings (laughter, tiredness, sadness, when people work) — a single English word in English too right after a
message in English. Asserted on what the customer gets back (template key without its variant, and the text)."""

from __future__ import annotations

import pytest

from bench.common import ROOT
from handlers.checkin.asking import ASKED
from handlers.orders.asking import asks_about_order
from handlers.replies.smalltalk import Intent, classify, laughing
from persona import load_persona
from persona.loader import default_persona_path, preset_names
from tests.community_kit import start_bot
from tests.test_persona_english_smalltalk import chinese_then_english
from tests.test_persona_understanding import TUESDAY_10AM, told

LEVELS = {"levels": [{"name": "柚芽", "min": 0, "rights": "生日祝福"},
                     {"name": "金柚", "min": 500, "rights": "专属顾问"}]}
CAMP = {"campaigns": [{"key": "skin21", "name": "21天护肤打卡", "start": "2026-03-08", "days": 21}]}
COFFEE = {"path": str(ROOT / "tests" / "knowledge_eval" / "coffee" / "faq.csv")}


@pytest.fixture
async def members(db_url, wecom, clock):
    """The bot of a brand with member levels and a running camp, on a Tuesday morning."""
    clock.set(TUESDAY_10AM)
    bot = await start_bot(db_url, wecom, clock, points=LEVELS, checkin=CAMP)
    yield bot
    await bot.stop()


async def test_members_ask_in_their_own_words(members, wecom, clock) -> None:
    """dev27 before: "ok 那我的积分现在多少" got a line of the membership FAQ, "我这是第几天了" and
    "要是哪天忘了打还能补吗" right after a check-in "老实说这个我还不确定呢"."""
    await told(members, wecom, clock, "wmMem01", "会员怎么弄的")
    points = await told(members, wecom, clock, "wmMem01", "ok 那我的积分现在多少")
    await told(members, wecom, clock, "wmMem02", "打卡 今天十点前就睡了")
    day = await told(members, wecom, clock, "wmMem02", "我这是第几天了")
    missed = await told(members, wecom, clock, "wmMem02", "要是哪天忘了打还能补吗")
    assert [k for k, _ in points] == ["points.balance"] and "柚芽" in points[0][1], points
    assert [k for k, _ in day] == ["checkin.progress"], day
    assert len(missed) == 1 and missed[0][0].startswith("checkin.progress"), missed


async def test_a_kind_confirmed_right_after_the_pick_takes_the_pick_up_in_a_line(wanzi, wecom, clock) -> None:
    """Before: "对 我就是干皮 冬天特别干" right after the dry-skin pick got "了解～" and the whole answer again."""
    await told(wanzi, wecom, clock, "wmMem03", "干皮用哪款面霜好啊")
    confirmed = await told(wanzi, wecom, clock, "wmMem03", "对 我就是干皮 冬天特别干")
    priced = await told(wanzi, wecom, clock, "wmMem03", "多少钱一瓶呀")
    assert [k for k, _ in confirmed] == ["chat.ack"], confirmed
    assert "柚润保湿霜" in confirmed[0][1] and "神经酰胺" not in confirmed[0][1], confirmed
    assert len(priced) == 1 and "柚润保湿霜" in priced[0][1], priced  # the pick still the context of the price


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_takes_a_confirmed_pick_up_in_its_own_voice(preset) -> None:
    persona = load_persona(default_persona_path(preset))
    said = persona.render("chat.ack", slot="picked", name="", product="柚润保湿霜", seed="x").text
    assert "「柚润保湿霜」" in said, (preset, said)


@pytest.fixture
async def coffee(db_url, wecom, clock):
    """The bot of a coffee shop (tests/knowledge_eval/coffee)."""
    clock.set(TUESDAY_10AM)
    bot = await start_bot(db_url, wecom, clock, faq=COFFEE)
    yield bot
    await bot.stop()


async def test_the_way_to_the_shop_told_after_its_address_gets_the_address(coffee, wecom, clock) -> None:
    """dev26 t03, dev27 q02: "我在浦东 过去估计要一个小时" right after the address got the plain chat line."""
    await told(coffee, wecom, clock, "wmMem04", "店在哪里呀")
    way = await told(coffee, wecom, clock, "wmMem04", "我在浦东 过去估计要一个小时")
    far = await told(coffee, wecom, clock, "wmMem05", "店在哪里呀")
    far += await told(coffee, wecom, clock, "wmMem05", "离我家差不多十几公里 周末开车过去")
    assert [k for k, _ in way] == ["reply.followup"] and "南京西路 88 号" in way[0][1], way
    assert far[-1][0] == "reply.followup" and "南京西路 88 号" in far[-1][1], far


async def test_a_laugh_before_a_remark_is_no_anger(wanzi, wecom, clock) -> None:
    """dev27 m02: "哈哈哈 差得有点远" (short of points) got "非常抱歉让你这么闹心"."""
    await told(wanzi, wecom, clock, "wmMem06", "积分能换啥")
    laugh = await told(wanzi, wecom, clock, "wmMem06", "哈哈哈 差得有点远")
    assert [k for k, _ in laugh] == ["chat.laugh"], laugh


@pytest.mark.parametrize(("said", "intent"), [
    ("冲鸭💪", Intent.HAPPY), ("加油加油", Intent.HAPPY), ("嗯嗯 跟你聊聊好多了", Intent.HAPPY),
    ("好的我试试看", Intent.ACK), ("那我先试试吧", Intent.ACK), ("好 周末过去", Intent.ACK),
    ("好嘞 周末去喝", Intent.ACK),
    ("有结果告诉我哈", Intent.ACK), ("那我先去忙了 有结果告诉我哈", Intent.BYE),
    ("haha that's so funny", Intent.LAUGH), ("lol you're funny", Intent.LAUGH), ("lmao", Intent.LAUGH),
    ("I'm so tired today", Intent.TIRED), ("so exhausted", Intent.TIRED), ("I'm feeling down", Intent.SAD),
    ("what time are your staff online?", Intent.STAFF_HOURS), ("what are your working hours", Intent.STAFF_HOURS),
    # stays what it was
    ("谢谢你 听你说完好多了", Intent.THANKS), ("哈哈 气死我了", Intent.ANGRY),
])
def test_what_members_say_is_small_talk_of_its_kind(said, intent) -> None:
    assert classify(said) is intent


@pytest.mark.parametrize("said", ["好 明天能到吗", "is the cream good for tired skin?", "what time do you ship?",
                                  "哈哈 那能退吗"])
def test_questions_beside_such_words_stay_questions(said) -> None:
    assert classify(said) is None and not laughing(said)


def test_a_parcel_asked_a_not_a_and_a_camp_day_asked_are_read_so() -> None:
    assert asks_about_order("不是 我是问我自己那单到底发没发") and asks_about_order("到没到啊")
    assert not asks_about_order("一般多久发货")
    assert ASKED.fullmatch("我这是第几天了") and ASKED.fullmatch("要是哪天忘了打还能补吗")
    assert not ASKED.fullmatch("收到货第几天之内要申请")


@pytest.mark.parametrize(("said", "key"), [("haha that's so funny", "chat.laugh"), ("I'm so tired today", "chat.tired"),
                                           ("I'm feeling down", "chat.sad")])
async def test_laughter_and_feelings_in_english_are_said_back_in_english_too(wanzi, wecom, clock, said, key) -> None:
    """Before (conv32 left them): "I'm so tired today" got "嗯嗯，小柚在听～…", Chinese only."""
    replies = await told(wanzi, wecom, clock, "wmMem07", said)
    assert [k for k, _ in replies] == [key] and chinese_then_english(replies[0][1]), replies


async def test_when_people_work_asked_in_english_is_said_in_english_too(wanzi, wecom, clock) -> None:
    """Before: "what time are your staff online?" got reply.unknown (asked of the knowledge base)."""
    replies = await told(wanzi, wecom, clock, "wmMem08", "what time are your staff online?")
    assert [k for k, _ in replies] == ["chat.staff_hours"] and chinese_then_english(replies[0][1]), replies
    assert "每天 09:00-21:00" in replies[0][1] and "every day 09:00-21:00 (China time). Send" in replies[0][1], replies


async def test_a_single_english_word_after_english_is_said_back_in_english_too(wanzi, wecom, clock) -> None:
    """"thx" right after an English question is the chat's language; alone (tests/test_persona_english_smalltalk.py)
    or after Chinese it stays Chinese."""
    await told(wanzi, wecom, clock, "wmMem09", "how long does shipping take")
    english = await told(wanzi, wecom, clock, "wmMem09", "thx")
    await told(wanzi, wecom, clock, "wmMem10", "多久发货")
    chinese = await told(wanzi, wecom, clock, "wmMem10", "thx")
    assert [k for k, _ in english] == ["chat.thanks"] and chinese_then_english(english[0][1]), english
    assert [k for k, _ in chinese] == ["chat.thanks"] and "\n" not in chinese[0][1], chinese


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_says_when_people_work_in_english(preset) -> None:
    persona = load_persona(default_persona_path(preset))
    said = persona.render("chat.staff_hours", slot="english", name="", hours="周一至周五 09:00-21:00", how="",
                          hours_en="Mon-Fri 09:00-21:00 (China time)", how_en="", seed="x").text
    assert chinese_then_english(said) and "Mon-Fri" in said, (preset, said)
