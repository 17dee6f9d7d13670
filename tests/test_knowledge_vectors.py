"""Knowledge-base vectors are kept in the database: a second replica or a restart builds its index
without embedding, an edit embeds only its new texts, another model embeds everything again, an
unusable row is embedded again (and logged), a customer's question is never kept, questions are
answered by the previous index while a rebuild runs, and a build deletes only rows no build (of
any replica, with any FAQ file or features) used for a week."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np
from sqlalchemy import func, select, update

import persona.embed
from handlers.insights.model import SuggestionModel, load_exemplars
from handlers.replies.feelings import EXAMPLES, feeling_model
from handlers.replies.kept_examples import prepare_examples
from handlers.replies.knowledge import KnowledgeBase
from handlers.wiring import warm_up
from persona.embed import Embedder, Vectors, shared_embedder
from persona.examples import ExampleModel
from persona.faq import FaqEntry
from persona.segment import Segmenter
from storage.models import KnowledgeVector
from storage.repos.replies import KnowledgeRepo
from tests.harness import BotUnderTest, make_config

ENTRIES = (FaqEntry("ship", ("多久发货", "什么时候寄出"), "48 小时内发出"),
           FaqEntry("hours", ("门店几点关门",), "每天 22:00 打烊"),
           FaqEntry("invoice", ("可以开发票吗",), "可以，下单时填写抬头"))


def made_up(kind: str, texts: Sequence[str]) -> Vectors:
    """A unit vector per text, the same for the same text (so a phrasing asked verbatim ranks first)."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(f"{kind}:{text}".encode()).digest()[:8], "little")
        row = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
        rows.append(row / np.linalg.norm(row))
    return np.array(rows, dtype=np.float32).reshape(len(texts), 384)


class Counting:
    """A model of its own (as in another process): records every text it embeds; made-up vectors,
    or a real model's with `inner`."""

    def __init__(self, identity: str = "test-model/1", inner: Embedder | None = None) -> None:
        self.identity = identity
        self.inner = inner
        self.texts: list[str] = []

    def query(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return self.inner.query(texts) if self.inner else made_up("q", texts)

    def passage(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return self.inner.passage(texts) if self.inner else made_up("p", texts)


def holder(model: Embedder, faq_path: Path | None = None) -> KnowledgeBase:
    return KnowledgeBase(ENTRIES, faq_path, Segmenter(), 0.7, refresh_s=0.0, embedder=model)


async def kept_rows(sessions) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(KnowledgeVector)) or 0)


async def top(kb: KnowledgeBase, question: str) -> str:
    return (await kb.rank(question, 1))[0].entry.id


# --- replicas and restarts --------------------------------------------------------------------------

async def test_a_second_replica_and_a_restart_build_their_index_without_embedding(
        db_url, wecom, clock, monkeypatch) -> None:
    real = shared_embedder()
    models: list[Counting] = []

    def own_model() -> Counting:  # every app (replica, restart) gets a model of its own, as a process does
        models.append(Counting("test-e5/1", inner=real))
        return models[-1]

    monkeypatch.setattr(persona.embed, "shared_embedder", own_model)
    settings = make_config(db_url, wecom.base_url)
    first = await BotUnderTest.start(settings, clock)
    try:
        await first.drain()  # the knowledge worker builds the first index
        assert models[0].texts  # a cold table: every text embedded once
        kept = await kept_rows(first.sessions)
        # one row per text and kind: the knowledge base's, and the example sentences of the feelings
        # and suggestion models (kept too, kind "example")
        assert kept == sum(len(m.texts) for m in models)
        # some example sentences ("谢谢") are also the matcher's reference lines: count the rest
        examples = {t for group in EXAMPLES.values() for t in group}
        examples |= set(load_exemplars().suggestion) | set(load_exemplars().other)
        kb_texts = set(models[0].texts) - examples
    finally:
        await first.stop()

    for _ in ("a second replica", "a restart"):
        since = len(models)
        started = await BotUnderTest.start(settings, clock)
        wecom.connect(f"{started.url}/wecom/callback")
        try:
            await started.drain()
            assert not kb_texts & set(models[-1].texts)  # nothing of the knowledge base embedded again
            assert not {t for m in models[since:] for t in m.texts}  # nor any example sentence
            await wecom.customer_says("wmVec00001", "东西拍了啥时候能寄出")
            await started.drain()
            assert "48 小时内从杭州仓发出" in str(wecom.customer_inbox("wmVec00001")[-1])
            # the customer's question, embedded to rank, and never kept
            assert "东西拍了啥时候能寄出" in models[-1].texts and not kb_texts & set(models[-1].texts)
            assert await kept_rows(started.sessions) == kept  # ... and never kept
        finally:
            await started.stop()


async def test_the_holder_keeps_vectors_per_text_and_kind(sessions) -> None:
    first, second = Counting(), Counting()
    kb = holder(first)
    await kb.ready(sessions)
    assert await kept_rows(sessions) == len(first.texts) > 0
    other = holder(second)
    await other.ready(sessions)
    assert second.texts == []
    assert await top(other, "门店几点关门") == await top(kb, "门店几点关门") == "hours"


async def test_the_start_up_warm_up_builds_from_the_kept_vectors(sessions) -> None:
    await holder(Counting()).ready(sessions)  # an earlier start
    model = Counting()
    kb = holder(model)
    await warm_up(SimpleNamespace(knowledge=kb), sessions)  # type: ignore[arg-type]  # what `wanzi serve` runs
    assert model.texts == []
    assert await top(kb, "可以开发票吗") == "invoice"


async def test_replicas_building_at_once_both_keep_the_same_rows(sessions) -> None:
    first, second = Counting(), Counting()
    await asyncio.gather(holder(first).ready(sessions), holder(second).ready(sessions))
    assert await kept_rows(sessions) == len(set(first.texts) | set(second.texts))  # one row per text, no error
    third = Counting()
    await holder(third).ready(sessions)
    assert third.texts == []


async def test_a_build_inside_a_handlers_transaction_keeps_its_vectors_with_it(sessions) -> None:
    model = Counting()
    kb = holder(model)
    async with sessions.begin() as s:  # as the reply handler's `kb.sync(ctx.session)`
        assert await kb.sync(s) is False  # nothing newer in the database; the first index is built
        embedded = len(model.texts)
        assert await top(kb, "多久发货") == "ship"
    assert await kept_rows(sessions) == embedded > 0
    again = Counting()
    await holder(again).ready(sessions)
    assert again.texts == []


# --- edits, models, bad rows ------------------------------------------------------------------------

async def test_an_added_entry_embeds_only_its_own_texts(sessions, clock) -> None:
    model = Counting()
    kb = holder(model)
    await kb.ready(sessions)
    model.texts.clear()
    async with sessions.begin() as s:
        await KnowledgeRepo(s).add(["会员有生日礼吗"], "生日当月送小样", now=clock.now(), created_by="test")
    assert await kb.sync_from(sessions) == 1
    assert model.texts and all("会员有生日礼吗" in t or "生日当月送小样" in t for t in model.texts)
    assert await top(kb, "会员有生日礼吗") == "kb#1"


FILE = "question,answer\n退货运费谁出,七天内退货运费由我们承担\n"


async def test_an_edited_faq_file_entry_embeds_only_its_new_texts(sessions, tmp_path: Path) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(f"{FILE}积分怎么用,100 积分抵 1 元\n", encoding="utf-8")
    model = Counting()
    kb = holder(model, faq)
    await kb.ready(sessions)
    model.texts.clear()
    faq.write_text(f"{FILE}积分怎么用,100 积分抵 2 元\n", encoding="utf-8")
    assert await kb.sync_from(sessions) == 1  # the worker noticed the file changed
    assert model.texts and all("100 积分抵 2 元" in t for t in model.texts)  # the phrasing's own vector was kept
    assert (await kb.rank("积分怎么用", 1))[0].entry.answer == "100 积分抵 2 元"


async def test_example_sentences_are_kept_and_a_knowledge_base_build_leaves_them_alone(sessions) -> None:
    def models(embedder: Counting) -> list[ExampleModel[Any]]:
        return [feeling_model(embedder), SuggestionModel(load_exemplars(), embedder=embedder).examples]

    first = Counting()
    await prepare_examples(models(first), sessions)
    assert len(first.texts) > 200 and await kept_rows(sessions) == len(first.texts)
    await holder(Counting()).ready(sessions)  # a knowledge-base build: example rows are not its stale rows
    again = Counting()
    restarted = models(again)
    await prepare_examples(restarted, sessions)
    assert again.texts == [] and all(m.prepared for m in restarted)  # a restart embeds no example sentence
    embedded = feeling_model(Counting())
    embedded.build()
    assert restarted[0].nearness("最近压力好大") == embedded.nearness("最近压力好大")  # same vectors, same verdicts


# --- replicas that differ, features turned off: rows go only when nobody used them ---------------

POINTS, BIRTHDAY = "积分怎么用,100 积分抵 1 元\n", "会员有生日礼吗,生日当月送小样\n"


async def test_replicas_with_different_faq_files_keep_each_others_rows_across_rebuilds(
        sessions, tmp_path: Path, clock) -> None:
    """A rolling deploy: two replicas on one database, each with its own copy of faq.path."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(FILE + POINTS, encoding="utf-8")
    b.write_text(FILE + BIRTHDAY, encoding="utf-8")
    first, second = holder(Counting(), a), holder(Counting(), b)
    await first.ready(sessions)
    await second.ready(sessions)
    async with sessions.begin() as s:  # an entry added by staff: every replica rebuilds
        await KnowledgeRepo(s).add(["可以寄顺丰吗"], "可以，到付", now=clock.now(), created_by="test")
    assert await first.sync_from(sessions) == 1
    assert await second.sync_from(sessions) == 1
    for path in (a, b, a):  # each replica restarts: every text of its own comes from the table
        model = Counting()
        await holder(model, path).ready(sessions)
        assert model.texts == []


def example_models(embedder: Counting, *, suggestions: bool) -> list[ExampleModel[Any]]:
    """What start-up builds (handlers/wiring.py example_models): feelings, and suggestions if on."""
    models: list[ExampleModel[Any]] = [feeling_model(embedder)]
    if suggestions:
        models.append(SuggestionModel(load_exemplars(), embedder=embedder).examples)
    return models


async def test_a_start_with_the_suggestions_model_off_keeps_its_example_rows(sessions) -> None:
    await prepare_examples(example_models(Counting(), suggestions=True), sessions)
    off = Counting()
    await prepare_examples(example_models(off, suggestions=False), sessions)  # [suggestions] model = false
    assert off.texts == []
    on_again = Counting()
    await prepare_examples(example_models(on_again, suggestions=True), sessions)
    assert on_again.texts == []  # the suggestion examples' rows were still there


async def test_rows_nobody_used_for_a_week_are_deleted_by_the_next_build(sessions, tmp_path: Path) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(FILE + POINTS, encoding="utf-8")
    await holder(Counting("test-model/0")).ready(sessions)  # an older model's rows
    model = Counting()
    kb = holder(model, faq)
    await kb.ready(sessions)
    everything = await kept_rows(sessions)
    faq.write_text(FILE, encoding="utf-8")  # the points entry is gone
    assert await kb.sync_from(sessions) == 1
    assert await kept_rows(sessions) == everything  # another replica may still have it
    async with sessions.begin() as s:  # a week and a day on
        await s.execute(update(KnowledgeVector).values(used_at=datetime.now(timezone.utc) - timedelta(days=8)))
    again = Counting()
    await holder(again, faq).ready(sessions)  # a build: it uses its own rows, so they stay ...
    assert again.texts == []
    async with sessions() as s:
        kept = set((await s.execute(select(KnowledgeVector.model, KnowledgeVector.text_hash))).all())
    gone = {("test-model/1", hashlib.sha256(t.encode()).hexdigest()) for t in model.texts if "积分" in t}
    assert gone and not gone & kept  # ... and the points entry's rows go
    assert {m for m, _ in kept} == {"test-model/1"}  # and so do the older model's
    restarted = Counting()
    await holder(restarted, faq).ready(sessions)
    assert restarted.texts == []


async def test_another_model_embeds_everything_again(sessions) -> None:
    old, new, old_again = Counting("test-model/1"), Counting("test-model/2"), Counting("test-model/1")
    await holder(old).ready(sessions)
    await holder(new).ready(sessions)
    assert sorted(new.texts) == sorted(old.texts)  # vectors of another model are not this one's
    await holder(old_again).ready(sessions)
    assert old_again.texts == []


async def test_an_unusable_row_is_embedded_again_and_logged(sessions, caplog) -> None:
    model = Counting()
    await holder(model).ready(sessions)
    async with sessions() as s:
        hashes = list((await s.scalars(select(KnowledgeVector.text_hash).order_by(KnowledgeVector.text_hash)
                                       .limit(2))).all())
    async with sessions.begin() as s:
        await s.execute(update(KnowledgeVector).where(KnowledgeVector.text_hash == hashes[0])
                        .values(vector=b"\x00\x01\x02"))  # not float32 at all
        row = await s.scalar(select(KnowledgeVector).where(KnowledgeVector.text_hash == hashes[1]))
        assert row is not None
        row.vector = row.vector[:768]  # half a vector

    again = Counting()
    kb = holder(again)
    with caplog.at_level(logging.WARNING, logger="handlers.replies.vectors"):
        await kb.ready(sessions)
    assert len(again.texts) == 2
    assert {hashlib.sha256(t.encode()).hexdigest() for t in again.texts} == set(hashes)
    assert any(r.getMessage().startswith("kept knowledge vectors unusable") and getattr(r, "rows", 0) == 2
               for r in caplog.records)
    assert await top(kb, "门店几点关门") == "hours"

    repaired = Counting()
    await holder(repaired).ready(sessions)
    assert repaired.texts == []  # the rows were replaced


# --- a rebuild does not hold up questions ------------------------------------------------------------

class Held(Counting):
    """Blocks while embedding a text that holds `word`, until released (a slow rebuild)."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word
        self.entered = threading.Event()
        self.release = threading.Event()

    def passage(self, texts: Sequence[str]) -> Vectors:
        if any(self.word in t for t in texts):
            self.entered.set()
            self.release.wait(30)
        return super().passage(texts)


async def test_questions_are_answered_by_the_previous_index_while_a_rebuild_runs(sessions, clock) -> None:
    model = Held("生日当月送小样")
    kb = holder(model)
    await kb.ready(sessions)
    async with sessions.begin() as s:
        await KnowledgeRepo(s).add(["会员有生日礼吗"], "生日当月送小样", now=clock.now(), created_by="test")
    rebuild = asyncio.create_task(kb.sync_from(sessions))
    try:
        assert await asyncio.to_thread(model.entered.wait, 30)
        async with sessions() as s:  # a customer's question meanwhile: not held up by the rebuild
            assert await asyncio.wait_for(kb.sync(s), 30) is False
        assert await asyncio.wait_for(top(kb, "门店几点关门"), 30) == "hours"
        assert [e.id for e in kb.entries] == ["ship", "hours", "invoice"]  # still the previous index
    finally:
        model.release.set()
    assert await rebuild == 1
    assert await top(kb, "会员有生日礼吗") == "kb#1"


async def test_a_question_ranked_against_the_index_is_not_kept(sessions) -> None:
    model = Counting()
    kb = holder(model)
    await kb.ready(sessions)
    before = await kept_rows(sessions)
    await kb.rank("东西拍了啥时候能寄出")
    assert model.texts[-1] == "东西拍了啥时候能寄出"
    assert await kept_rows(sessions) == before
