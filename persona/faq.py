"""The knowledge base: FAQ entries ranked with BM25 over jieba tokens, with a confidence threshold.

Entries come from the persona file (`[[faq]]`) and from an operator-edited TOML or CSV file
(`faq.path`). Every phrasing of a question is its own BM25 document; an entry scores its best
phrasing. The confidence combines how much of the phrasing the question covers (BM25 score over
the phrasing's perfect score) with how much of the question the phrasing explains (share of
the question's words it contains), so one threshold works whatever the size of the knowledge
base, and "我是干皮" does not pass for "干皮适合用什么面霜".
"""

from __future__ import annotations

import asyncio
import csv
import math
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from persona.model import PersonaError
from persona.segment import Segmenter

K1, B = 1.5, 0.75


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


def _texts(value: Any, source: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PersonaError(source, key, "must be a non-empty list of texts")
    return tuple(v.strip() for v in value)


def parse_faq(items: Any, source: str) -> tuple[FaqEntry, ...]:
    """`[[faq]]` tables: id?, q (one or more phrasings), a (the answer), keywords?."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PersonaError(source, "faq", "must be an array of tables ([[faq]])")
    entries = []
    for n, item in enumerate(items):
        key = f"faq[{n}]"
        unknown = sorted(set(item) - {"id", "q", "a", "keywords"})
        if unknown:
            raise PersonaError(source, f"{key}.{unknown[0]}", "unknown FAQ key (use id, q, a, keywords)")
        answer = item.get("a")
        if not isinstance(answer, str) or not answer.strip():
            raise PersonaError(source, f"{key}.a", "needs an answer text")
        if "{" in answer or "}" in answer:
            raise PersonaError(source, f"{key}.a", "answers are plain text: no {placeholders}")
        entries.append(FaqEntry(id=str(item.get("id") or f"{Path(source).stem}-{n + 1}"),
                                questions=_texts(item.get("q"), source, f"{key}.q"), answer=answer.strip(),
                                keywords=_texts(item["keywords"], source, f"{key}.keywords")
                                if "keywords" in item else ()))
    return tuple(entries)


def load_faq_file(path: str | Path) -> tuple[FaqEntry, ...]:
    """TOML with [[faq]] tables, or CSV with columns question,answer (phrasings split by "|")."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PersonaError(str(p), "file", "not found") from None
    if p.suffix.lower() == ".csv":
        rows = list(csv.DictReader(raw.splitlines()))
        if rows and not {"question", "answer"} <= set(rows[0]):
            raise PersonaError(str(p), "header", "needs the columns question,answer")
        items = [{"q": [q for q in (r.get("question") or "").split("|") if q.strip()], "a": r.get("answer") or ""}
                 for r in rows]
        return parse_faq(items, str(p))
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(str(p), "file", f"not valid TOML: {exc}") from None
    return parse_faq(data.get("faq"), str(p))


class FaqIndex:
    """BM25 over the phrasings; built off the event loop on first use (jieba must be loaded)."""

    def __init__(self, entries: Sequence[FaqEntry], segmenter: Segmenter, threshold: float = 0.6) -> None:
        self.entries = tuple(entries)
        self.segmenter = segmenter
        self.threshold = threshold
        self._docs: list[tuple[FaqEntry, Counter[str], int]] = []
        self._idf: dict[str, float] = {}
        self._avg_len = 1.0
        self._built = False
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        if self._built:
            return
        async with self._lock:
            if not self._built:
                await asyncio.to_thread(self.build)

    def build(self) -> None:
        """Blocking: load jieba, teach it the keywords, tokenize every phrasing."""
        self.segmenter.load()
        self.segmenter.add_words(w for e in self.entries for w in e.keywords)
        docs = []
        for entry in self.entries:
            for text in entry.questions:
                tokens = self.segmenter.tokens(text)
                if tokens:
                    docs.append((entry, Counter(tokens), len(tokens)))
        n = len(docs)
        df: Counter[str] = Counter(t for _, counts, _ in docs for t in counts)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._avg_len = sum(length for *_, length in docs) / n if n else 1.0
        self._docs = docs
        self._built = True

    def _score(self, query: set[str], counts: Counter[str], length: int) -> float:
        score = 0.0
        for term in query:
            tf = counts.get(term, 0)
            if tf:
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._avg_len))
                score += self._idf.get(term, 0.0) * norm
        return score

    def rank(self, question: str, limit: int = 3) -> list[FaqMatch]:
        """Best entries for a question with their confidence (0..1), best first."""
        if not self._built:
            raise RuntimeError("FaqIndex used before ready()")
        query = set(self.segmenter.tokens(question))
        if not query:
            return []
        best: dict[str, FaqMatch] = {}
        for entry, counts, length in self._docs:
            score = self._score(query, counts, length)
            if score <= 0:
                continue
            perfect = self._score(set(counts), counts, length)
            covered = min(1.0, score / perfect) if perfect else 0.0
            explained = len(query.intersection(counts)) / len(query)
            # A weighted geometric mean: the phrasing must be mostly covered, so one shared word
            # ("推荐", "干皮") is not an answer, while extra words in the question cost less.
            confidence = covered ** (2 / 3) * explained ** (1 / 3)
            if entry.id not in best or confidence > best[entry.id].confidence:
                best[entry.id] = FaqMatch(entry, round(confidence, 4))
        return sorted(best.values(), key=lambda m: -m.confidence)[:limit]

    def best(self, question: str) -> FaqMatch | None:
        """The answer to give, or None when no entry reaches the confidence threshold."""
        ranked = self.rank(question, limit=1)
        return ranked[0] if ranked and ranked[0].confidence >= self.threshold else None
