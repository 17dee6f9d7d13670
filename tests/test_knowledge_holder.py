"""services.knowledge, the holder: it looks at the database's revision before an answer at most every
refresh_s, at once while its own change is not in its index yet, and rebuilds from the persona's
entries, the FAQ file and the database's active entries."""

from __future__ import annotations

from datetime import datetime, timezone

from handlers.replies import knowledge
from handlers.replies.knowledge import KnowledgeBase
from handlers.replies.reading import asked_as_written, written
from persona.faq import FaqEntry, FaqMatch
from persona.segment import Segmenter
from storage.repos.replies import KnowledgeRepo

NOW = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)
PERSONA = (FaqEntry("p-1", ("会员有生日礼吗",), "有的，生日当月送小样"),)


class Ticks:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


async def add(sessions, question: str, answer: str) -> int:
    async with sessions.begin() as s:
        await KnowledgeRepo(s).add([question], answer, now=NOW, created_by="test")
        return await KnowledgeRepo(s).revision()


async def test_the_holder_checks_the_revision_at_most_every_refresh_s_unless_it_made_the_change(sessions) -> None:
    ticks = Ticks()
    kb = KnowledgeBase(PERSONA, None, Segmenter(), 0.6, refresh_s=2.0, clock=ticks)
    async with sessions() as s:
        assert await kb.sync(s) is False  # revision 0: nothing to rebuild
    assert (await kb.best("会员有生日礼吗")) is not None

    await add(sessions, "门店几点关门", "每天 22:00 打烊")  # another replica's change
    ticks.t += 1.0
    async with sessions() as s:
        assert await kb.sync(s) is False  # checked a second ago: not yet
    assert await kb.best("门店几点关门") is None
    ticks.t += 1.5
    async with sessions() as s:
        assert await kb.sync(s) is True
    assert (await kb.best("门店几点关门")).entry.answer == "每天 22:00 打烊"  # type: ignore[union-attr]
    assert (await kb.best("会员有生日礼吗")) is not None  # the persona's entries stay

    revision = await add(sessions, "可以开发票吗", "可以，下单时填写抬头")  # this process's own change
    kb.expect(revision)
    async with sessions() as s:
        assert await kb.sync(s) is True  # at once, without waiting refresh_s
    assert kb.revision == revision and kb.counts() == {"persona": 1, "file": 0, "database": 2}


async def test_a_phrasing_the_database_adds_is_read_as_written_once_the_index_is_rebuilt(sessions) -> None:
    ticks = Ticks()
    kb = KnowledgeBase(PERSONA, None, Segmenter(), 0.6, refresh_s=2.0, clock=ticks)
    async with sessions() as s:
        await kb.sync(s)
    assert asked_as_written(kb.derived(written), "你好 会员有生日礼吗").id == "p-1"  # type: ignore[union-attr]
    assert asked_as_written(kb.derived(written), "你好 门店几点关门") is None

    await add(sessions, "门店几点关门", "每天 22:00 打烊")
    ticks.t += 2.5
    async with sessions() as s:
        assert await kb.sync(s) is True
    # the table of phrasings was derived from the old entries: the new index derives its own
    assert asked_as_written(kb.derived(written), "你好 门店几点关门").answer == "每天 22:00 打烊"  # type: ignore[union-attr]
    assert asked_as_written(kb.derived(written), "你好 会员有生日礼吗").id == "p-1"  # type: ignore[union-attr]


class AsyncIndex:
    """An index whose best/rank are coroutines, as the semantic one's are: the holder must await them."""

    def __init__(self, entries, segmenter, threshold, embedder=None) -> None:
        self.entries = tuple(entries)

    async def ready(self) -> None:
        return None

    async def rank(self, question: str, limit: int = 3) -> list[FaqMatch]:
        return [FaqMatch(e, 1.0) for e in self.entries if question in e.questions][:limit]

    async def best(self, question: str) -> FaqMatch | None:
        ranked = await self.rank(question, 1)
        return ranked[0] if ranked else None


async def test_an_index_with_async_methods_drops_in_behind_build_index(sessions, monkeypatch) -> None:
    monkeypatch.setattr(knowledge, "build_index", AsyncIndex)
    kb = KnowledgeBase(PERSONA, None, Segmenter(), 0.6)
    assert (await kb.best("会员有生日礼吗")).entry.id == "p-1"  # type: ignore[union-attr]
    await add(sessions, "门店几点关门", "每天 22:00 打烊")
    async with sessions() as s:
        assert await kb.sync(s) is True
    assert [m.entry.id for m in await kb.rank("门店几点关门")] == ["kb#1"]

