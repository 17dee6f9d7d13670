"""Customers understood in their own words: traditional characters ("請問多久發貨") and messages spaced
out character by character ("多 久 發 貨") get the replies their simplified, unspaced forms get, while
what the customer wrote is what is stored and what staff see (persona/heard.py)."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from handlers.replies.smalltalk import classify
from persona.heard import heard
from persona.traditional import simplified
from storage.models import Customer, CustomerTag, Message, Tag, Ticket, UnansweredQuestion
from tests.harness import BotUnderTest

SH = ZoneInfo("Asia/Shanghai")
TESTS = Path(__file__).parent


@pytest.fixture
def clock(clock: FakeClock) -> FakeClock:
    """conftest's clock on a Tuesday morning, in working hours (the bot is conftest's `wanzi`)."""
    clock.set(datetime(2026, 3, 10, 10, 5, tzinfo=SH).timestamp())
    return clock


async def chat(bot: BotUnderTest, wecom, ext: str, text: str) -> tuple[list[str], list[str]]:
    """The customer `ext` writes `text`; the replies' texts and their template keys (no variant)."""
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    replies = [str(r) for r in wecom.customer_inbox(ext)[before:]]
    async with bot.sessions() as s:
        keys = (await s.scalars(select(Message.template_key).join(Customer, Message.customer_id == Customer.id)
                                .where(Customer.external_userid == ext, Message.direction == "out")
                                .order_by(Message.id))).all()
    return replies, [k.split("#")[0] for k in keys]


def test_traditional_characters_are_heard_in_simplified_form() -> None:
    assert heard("請問多久發貨") == "请问多久发货"
    assert heard("謝謝你") == "谢谢你"
    assert heard("你們是正品嗎") == "你们是正品吗"
    assert heard("這個適合敏感肌嗎") == "这个适合敏感肌吗"
    assert heard("我是乾皮，用甚麼面霜好") == "我是干皮，用什么面霜好"
    assert heard("等著你們回覆") == "等着你们回复"


def test_characters_simplified_text_uses_itself_stay_where_it_uses_them() -> None:
    assert simplified("这家店很著名") == "这家店很著名"
    assert simplified("效果顯著") == "效果显著"
    assert simplified("乾隆年间的方子") == "乾隆年间的方子"
    assert simplified("瞭望台") == "瞭望台"


def test_a_message_spaced_out_character_by_character_is_heard_as_words() -> None:
    assert heard("你 好") == "你好"
    assert heard("谢　谢") == "谢谢"  # a full-width space
    assert heard("多 久 發 貨") == "多久发货"
    assert heard("多 久 发货") == "多久 发货"  # 发货 stands as a word of its own
    assert heard("好 的 谢谢") == "好的 谢谢"


def test_spaces_between_words_still_separate_clauses() -> None:
    for text in ("好的 谢谢", "你好 多久发货", "今天 好累", "订单号 T1001"):
        assert heard(text) == text
    assert classify(heard("好的 谢谢")) == classify("好的，谢谢")
    assert classify(heard("你好 多久发货")) is None  # a question, not a greeting


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and "Traditional" in value.get("about", ""):
        return []  # a conversation written in Traditional characters on purpose (dialogue_eval dev7)
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_simplified_texts_are_unchanged() -> None:
    """Every customer line of the dialogue and knowledge evaluations (but conversations about
    Traditional characters), and every persona text, is simplified Chinese: none of it is changed (a
    table entry that is also a simplified character would show here)."""
    files = [*sorted((TESTS / "dialogue_eval").glob("*.toml")), *sorted((TESTS / "knowledge_eval").rglob("*.toml")),
             *sorted((TESTS.parent / "persona").rglob("*.toml"))]
    texts = [t for f in files for t in _strings(tomllib.loads(f.read_text(encoding="utf-8")))]
    assert len(texts) > 1000
    changed = [t for t in texts if simplified(t) != t]
    assert changed == []


def test_hearing_twice_changes_nothing_more() -> None:
    for text in ("請問多久發貨", "多 久 發 貨", "好 的 謝謝", "你好， 多 久 发 货 ？"):
        assert heard(heard(text)) == heard(text)


TRADITIONAL = [("謝謝你", "谢谢你"), ("請問多久發貨", "请问多久发货"), ("你們是正品嗎", "你们是正品吗"),
               ("孕婦可以用嗎", "孕妇可以用吗"), ("晚安，謝謝", "晚安，谢谢"), ("在嗎", "在吗"),
               ("今天好累啊", "今天好累啊"), ("你 好", "你好"), ("谢 谢", "谢谢"), ("多 久 發 貨", "多久发货")]


async def test_traditional_and_spaced_messages_get_the_replies_their_simplified_forms_get(wanzi, wecom) -> None:
    for n, (theirs, plain) in enumerate(TRADITIONAL):
        _, heard_keys = await chat(wanzi, wecom, f"wmTrad{n:04d}", theirs)
        _, plain_keys = await chat(wanzi, wecom, f"wmPlain{n:04d}", plain)
        assert heard_keys == plain_keys and heard_keys, (theirs, heard_keys, plain_keys)
        assert "reply.fallback" not in heard_keys and "reply.unknown" not in heard_keys, theirs
    # a question nobody answered before is queued for staff the same way: as the customer wrote it
    _, keys = await chat(wanzi, wecom, "wmTradQ001", "這個適合敏感肌嗎")
    assert keys == (await chat(wanzi, wecom, "wmPlainQ01", "这个适合敏感肌吗"))[1]
    async with wanzi.sessions() as s:
        queued = (await s.scalars(select(UnansweredQuestion.text).order_by(UnansweredQuestion.id))).all()
    assert queued == ["這個適合敏感肌嗎", "这个适合敏感肌吗"]


async def test_a_spaced_out_traditional_question_is_answered_from_the_knowledge_base(wanzi, wecom) -> None:
    replies, keys = await chat(wanzi, wecom, "wmSpaced01", "請 問 多 久 發 貨")
    assert keys == ["reply.faq"] and "48 小时内" in replies[0]
    async with wanzi.sessions() as s:
        said = (await s.scalars(select(Message.text).where(Message.direction == "in"))).all()
        assert said == ["請 問 多 久 發 貨"]  # stored as written
        assert (await s.scalars(select(UnansweredQuestion))).all() == []


async def test_a_traditional_skin_type_earns_its_tag(wanzi, wecom) -> None:
    await chat(wanzi, wecom, "wmTag00001", "我是乾皮，冬天臉很緊繃")
    async with wanzi.sessions() as s:
        tags = (await s.scalars(select(Tag.name).join(CustomerTag, CustomerTag.tag_id == Tag.id))).all()
    assert "干皮" in tags


async def test_staff_see_what_the_customer_wrote(wanzi, wecom) -> None:
    """Asking for a person in traditional characters opens a ticket, with the customer's own words."""
    replies, _ = await chat(wanzi, wecom, "wmHuman001", "我要轉人工")
    async with wanzi.sessions() as s:
        tickets = (await s.scalars(select(Ticket))).all()
    assert [t.question for t in tickets] == ["我要轉人工"] and replies
