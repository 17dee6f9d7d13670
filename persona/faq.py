"""The knowledge base: FAQ entries matched on meaning, with a calibrated confidence.

Entries come from the persona file (`[[faq]]`) and from an operator-edited TOML or CSV file
(`faq.path`). The matcher (persona/matcher.py) compares a customer's words with every entry
through sentence vectors of a model that ships in a package, so "东西拍了啥时候能寄出" finds
"多久发货" with no shared word; this module holds the entries, their loaders and the index.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from persona.heard import heard
from persona.model import PersonaError, read_text

if TYPE_CHECKING:
    from persona.embed import Embedder
    from persona.facts import Facts
    from persona.matcher import Matcher
    from persona.segment import Segmenter

DEFAULT_THRESHOLD = 0.55  # chosen on tests/knowledge_eval's dev split, one shop left out at a time: ≤ 3 % wrong
# 猜你想问: from this confidence up to the threshold the persona offers the best entries instead of
# queueing the question at once. Chosen on the dev split (`python -m bench.knowledge dev`): the right
# entry is among those offered for 85 % of the questions in the band; 1.3 % of everyday off-topic lines
# and no small talk land there.
DEFAULT_CLARIFY_THRESHOLD = 0.25
RANKED = 3  # entries kept of each ranking an index remembers (`rank` with a larger limit asks again)
RANKINGS = 1024  # rankings an index remembers (the latest questions)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]
    answer: str
    keywords: tuple[str, ...] = ()  # domain words jieba must keep whole ("次抛", "干皮")


@dataclass(frozen=True, slots=True)
class FaqMatch:
    entry: FaqEntry
    confidence: float


ANSWER_BYTES = 1800  # an answer goes into a kf text (2,048 bytes) with the persona's words around it (reply.faq)
COLUMNS = ("question", "answer")


def _texts(value: Any, source: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PersonaError(source, key, "must be a non-empty list of texts")
    return tuple(v.strip() for v in value)


def normal(text: str) -> str:
    """A phrasing compared for duplicates: no spaces, no end punctuation, lower case."""
    return "".join(text.split()).rstrip("?？!！。.~～").lower()


def parse_faq(items: Any, source: str, places: Sequence[str] = ()) -> tuple[FaqEntry, ...]:
    """`[[faq]]` tables: id?, q (one or more phrasings), a (the answer), keywords?. `places` names where
    each item is in its file ("line 7"); without them a problem is named by its key ("faq[6].a")."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PersonaError(source, "faq", "must be an array of tables ([[faq]])")
    named = len(places) == len(items)
    entries = []
    for n, item in enumerate(items):
        where = places[n] if named else f"faq[{n}]"

        def at(field: str, where: str = where) -> str:  # "line 7" (the messages speak of the answer), "faq[6].a"
            return f"{where}.{field}" if not named else where if field == "a" else f"{where}: {field}"

        unknown = sorted(set(item) - {"id", "q", "a", "keywords"})
        if unknown:
            raise PersonaError(source, at(unknown[0]), "unknown FAQ key (use id, q, a, keywords)")
        answer = item.get("a")
        if not isinstance(answer, str) or not answer.strip():
            raise PersonaError(source, at("a"), "needs an answer text")
        if "{" in answer or "}" in answer:
            raise PersonaError(source, at("a"), "answers are plain text: no {placeholders}")
        size = len(answer.strip().encode())
        if size > ANSWER_BYTES:
            raise PersonaError(source, at("a"), f"the answer is {size:,} bytes; a WeChat message holds 2,048 with "
                                                f"the persona's words around it, so at most {ANSWER_BYTES:,} "
                                                f"(about {ANSWER_BYTES // 3} Chinese characters): shorten it or "
                                                f"split it into entries")
        entries.append(FaqEntry(id=str(item.get("id") or f"{Path(source).stem}-{n + 1}"),
                                questions=_texts(item.get("q"), source, at("q")), answer=answer.strip(),
                                keywords=_texts(item["keywords"], source, at("keywords"))
                                if "keywords" in item else ()))
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries):
        for question in entry.questions:
            first = seen.setdefault(normal(question), n)
            if first != n:
                here, there = (places[n], places[first]) if named else (f"faq[{n}]", f"faq[{first}]")
                raise PersonaError(source, here, f"the question {question!r} is also at {there}")
    return tuple(entries)


def _csv_items(raw: str, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of a question,answer CSV as [[faq]] items, with the line each starts on. Blank lines are
    skipped; a cell may hold line breaks when quoted, as Excel writes it."""
    reader = csv.reader(io.StringIO(raw, newline=""))
    header = next(reader, None)
    names = [cell.strip().lower() for cell in header or ()]
    if not set(COLUMNS) <= set(names):
        shown = ",".join(header or ())
        if any(mark in shown for mark in "，、;；\t"):
            hint = (f"the header {shown!r} is not split by ASCII commas: columns are separated by ',' "
                    f"(a full-width '，', a ';' or a tab does not separate them)")
        else:
            hint = f"the header is {shown!r}"
        raise PersonaError(source, "line 1", f"the first line must name the columns question,answer; {hint}")
    q, a = names.index("question"), names.index("answer")
    items, places = [], []
    start = reader.line_num + 1
    for row in reader:
        place, start = f"line {start}", reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names):]):
            raise PersonaError(source, place, f"{len(row)} columns where the header has {len(names)}: an answer "
                                              f"with a comma ',' in it must be in double quotes (\"…,…\"), as "
                                              f"Excel writes it")
        if len(row) <= a:
            hint = "; a full-width comma '，' does not separate columns: use ','" if "，" in ",".join(row) else ""
            raise PersonaError(source, place, f"no answer: the line has {len(row)} of the header's "
                                              f"{len(names)} columns{hint}")
        if not row[a].strip():
            raise PersonaError(source, place, "no answer: the answer column is empty")
        questions = [text.strip() for text in row[q].split("|") if text.strip()] if len(row) > q else []
        if not questions:
            raise PersonaError(source, place, "no question: the question column is empty")
        items.append({"q": questions, "a": row[a]})
        places.append(place)
    return items, places


def _toml_places(raw: str, count: int) -> list[str]:
    """The line of each [[faq]] header of a TOML file (none when the tables are written otherwise)."""
    lines = [f"line {n}" for n, text in enumerate(raw.splitlines(), 1) if FAQ_HEADER.match(text)]
    return lines if len(lines) == count else []


WORKBOOKS = (".xlsx", ".xls", ".xlsm", ".et", ".numbers", ".ods")  # Excel, WPS, Numbers, LibreOffice
FAQ_HEADER = re.compile(r"^\s*\[\[\s*faq\s*\]\]")


def load_faq_file(path: str | Path) -> tuple[FaqEntry, ...]:
    """TOML with [[faq]] tables, or CSV with columns question,answer (phrasings split by "|"), UTF-8 or GBK.
    A problem is a PersonaError naming the file and the line; a question twice is one."""
    p = Path(path)
    if p.suffix.lower() in WORKBOOKS:
        raise PersonaError(str(p), "file", "a workbook is not read: save it as CSV (Excel: 另存为 → CSV UTF-8"
                                           "（逗号分隔）) and name the .csv file")
    try:
        raw = read_text(p)
    except FileNotFoundError:
        raise PersonaError(str(p), "file", f"not found (looked for {p.resolve()})") from None
    if p.suffix.lower() == ".csv":
        rows, lines = _csv_items(raw, str(p))
        return parse_faq(rows, str(p), lines)
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        first = raw.partition("\n")[0].lower()
        hint = "; its first line names question and answer: a CSV file must end in .csv" if (
            "question" in first and "answer" in first) else ""
        raise PersonaError(str(p), "file", f"not valid TOML: {exc}{hint}") from None
    tables = data.get("faq")
    return parse_faq(tables, str(p), _toml_places(raw, len(tables) if isinstance(tables, list) else -1))


class FaqIndex:
    """The entries of one knowledge base and their vectors, built off the event loop on first use.

    A build is a pure function of the entries (and the read-only shared model): rebuild the index
    from a new list of entries to change the knowledge base at run time. `segmenter` is accepted
    for older callers and not used: the matcher needs no word segmentation.
    """

    def __init__(self, entries: Sequence[FaqEntry], segmenter: Segmenter | None = None,
                 threshold: float = DEFAULT_THRESHOLD, *, embedder: Embedder | None = None) -> None:
        self.entries = tuple(entries)
        self.threshold = threshold
        self._embedder = embedder
        self._matcher: Matcher | None = None
        self._facts: Facts | None = None
        self._lock = asyncio.Lock()
        # A question's ranking is a pure function of the entries and the question: the latest ones
        # are kept, so a question asked again (or ranked ahead by `prepare`) needs no thread.
        self._ranked: OrderedDict[str, list[FaqMatch]] = OrderedDict()
        self._derived: dict[Callable[[tuple[FaqEntry, ...]], Any], Any] = {}

    def derived(self, derive: Callable[[tuple[FaqEntry, ...]], T]) -> T:
        """`derive(self.entries)`, computed at the first call and kept with this index (`derive` must be a
        pure function of the entries, e.g. their phrasings normalised once rather than on every message).
        A changed knowledge base is a new index, so a table of the old entries goes with the old index."""
        try:
            return self._derived[derive]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[derive] = derive(self.entries)
            return value

    @property
    def built(self) -> bool:
        return self._matcher is not None

    async def ready(self) -> None:
        if self._matcher is not None:
            return
        async with self._lock:
            if self._matcher is None:
                await asyncio.to_thread(self.build)

    def build(self) -> None:
        """Blocking: load the model (once per process) and embed every entry."""
        from persona.embed import shared_embedder
        from persona.facts import Facts
        from persona.matcher import Matcher

        self._facts = Facts(self.entries)
        self._matcher = Matcher(self.entries, self._embedder or shared_embedder())

    def score(self, question: str, limit: int = 3) -> list[FaqMatch]:
        """Blocking: the best entries with their confidence (0..1), best first. Call from a thread."""
        if self._matcher is None:
            raise RuntimeError("FaqIndex used before ready()")
        return self._matcher.rank(question, limit)

    def score_many(self, questions: Sequence[str], limit: int = 3) -> list[list[FaqMatch]]:
        """Blocking: `score` of each question, embedded in one call of the model. Call from a thread."""
        if self._matcher is None:
            raise RuntimeError("FaqIndex used before ready()")
        return self._matcher.rank_many(questions, limit)

    async def prepare(self, questions: Sequence[str]) -> None:
        """Rank these questions ahead, in one call to a thread (one batch for the model), for the
        `rank` and `best` that ask about them next: the inbox's group of kf messages."""
        await self.ready()
        todo = [q for q in dict.fromkeys(map(heard, questions)) if q not in self._ranked]
        if todo:
            self._remember(todo, await asyncio.to_thread(self.score_many, todo, RANKED))

    def _remember(self, questions: Sequence[str], rankings: Sequence[list[FaqMatch]]) -> None:
        for question, ranked in zip(questions, rankings, strict=True):
            self._ranked[question] = ranked
            self._ranked.move_to_end(question)
        while len(self._ranked) > RANKINGS:
            self._ranked.popitem(last=False)

    async def rank(self, question: str, limit: int = 3) -> list[FaqMatch]:
        """Best entries for a question with their confidence (0..1), best first; embeds in a thread
        unless the question was ranked lately. Ranked as heard (persona/heard.py: "請問多久發貨" is
        "请问多久发货")."""
        question = heard(question)
        await self.ready()
        known = self._ranked.get(question)
        if known is not None and limit <= RANKED:
            return known[:limit]
        ranked = await asyncio.to_thread(self.score, question, max(limit, RANKED))
        self._remember([question], [ranked])
        return ranked[:limit]

    async def chatter(self, question: str) -> float:
        """How close a text is to small talk and everyday off-topic lines (the matcher's "none" figure)."""
        await self.ready()
        assert self._matcher is not None
        return await asyncio.to_thread(self._matcher.chatter, heard(question))

    def stated(self, question: str, ranked: Sequence[FaqMatch]) -> FaqMatch | None:
        """Blocking (words only, no model): the entry whose answer states what the question asks whether
        there is ("精华液有没有酒精": "…全线不含酒精…"), among `ranked` (its ranking); persona/facts.py."""
        if self._facts is None:
            raise RuntimeError("FaqIndex used before ready()")
        return self._facts.find(heard(question), ranked)

    async def best(self, question: str) -> FaqMatch | None:
        """The answer to give: the entry ranked first when it reaches the confidence threshold, else the
        entry whose answer states what the question asks whether there is (`stated`), else None."""
        ranked = await self.rank(question)
        if not ranked or ranked[0].confidence >= self.threshold:
            return ranked[0] if ranked else None
        return await asyncio.to_thread(self.stated, question, ranked)


def clarify_options(ranked: Sequence[FaqMatch], lower: float, threshold: float) -> list[FaqEntry]:
    """The entries to offer (猜你想问) for a question ranked so: none unless the best one is below the
    threshold yet at least `lower` (0 disables); the second one too when its own confidence is at
    least half of `lower` (a distant second would only be noise)."""
    if lower <= 0 or not ranked or not lower <= ranked[0].confidence < threshold:
        return []
    return [ranked[0].entry] + [m.entry for m in ranked[1:2] if m.confidence >= lower / 2]
