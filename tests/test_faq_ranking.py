"""The knowledge base ranks Chinese questions with BM25 over jieba tokens and knows when it is unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona import PersonaError
from persona.faq import FaqIndex, load_faq_file
from persona.segment import Segmenter

DEMO = Path(__file__).resolve().parent.parent / "persona" / "faq.toml"


@pytest.fixture(scope="module")
def kb() -> FaqIndex:
    index = FaqIndex(load_faq_file(DEMO), Segmenter(), threshold=0.6)
    index.build()
    return index


@pytest.mark.parametrize("question,entry", [
    ("你们一般多久发货呀", "shipping"),
    ("请问你们家发货一般要多久，我在北京", "shipping"),
    ("拆封了能退吗", "returns"),
    ("干皮适合用什么面霜呀", "dry_skin_cream"),
    ("孕妇能不能用", "pregnancy"),
    ("积分怎么用啊", "membership"),
    ("是正品吗？", "authentic"),
])
def test_questions_in_other_words_find_their_answer(kb: FaqIndex, question: str, entry: str) -> None:
    match = kb.best(question)
    assert match is not None and match.entry.id == entry


@pytest.mark.parametrize("question", ["今天天气不错", "你好", "我是干皮,想要保湿", "你们老板是哪里人"])
def test_no_answer_when_unsure(kb: FaqIndex, question: str) -> None:
    assert kb.best(question) is None


@pytest.mark.parametrize("word", ["干皮", "推荐"])
def test_a_shared_word_alone_is_not_enough(kb: FaqIndex, word: str) -> None:
    (top, *_) = kb.rank(word)  # one word of "干皮面霜推荐"
    assert top.entry.id == "dry_skin_cream" and top.confidence < 0.6


def test_the_best_entry_ranks_first(kb: FaqIndex) -> None:
    ranked = kb.rank("开封以后保质期多久")
    assert ranked[0].entry.id == "shelf_life"
    assert [m.confidence for m in ranked] == sorted((m.confidence for m in ranked), reverse=True)


def test_an_operator_csv_is_a_knowledge_base_too(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text("question,answer\n门店在哪里|线下店地址,杭州西湖区柚见路 1 号。\n"
                    "营业时间|几点开门,每天 10:00-22:00。\n", encoding="utf-8")
    index = FaqIndex(load_faq_file(path), Segmenter())
    index.build()
    match = index.best("你们线下门店在哪里")
    assert match is not None and match.entry.answer == "杭州西湖区柚见路 1 号。"


def test_a_broken_entry_is_named(tmp_path: Path) -> None:
    path = tmp_path / "kb.toml"
    path.write_text('[[faq]]\nq = ["发货"]\na = "{oops}"\n', encoding="utf-8")
    with pytest.raises(PersonaError, match=r"faq\[0\]\.a"):
        load_faq_file(path)


async def test_jieba_is_loaded_off_the_event_loop_once(kb: FaqIndex) -> None:
    fresh = FaqIndex(load_faq_file(DEMO), Segmenter())
    with pytest.raises(RuntimeError):
        fresh.rank("发货")  # never silently loads inside a handler
    await fresh.ready()
    await fresh.ready()
    assert fresh.best("多久发货") is not None
