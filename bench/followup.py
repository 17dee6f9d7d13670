"""Follow-ups on the evaluation set: `python -m bench.followup [dev|final] [--misses]`.

tests/followup_eval/<split>.csv: rows `shop,previous,followup,expected,kind` — a customer asked
`previous` of a shop of tests/knowledge_eval (or `demo`, persona/faq.toml), got its answer (or a
猜你想问 offer), then wrote `followup`; `expected` is the entry that answers the follow-up, empty
when none should. `kind` = `followup` (it leans on the previous question) or `newtopic` (a new
question, small talk or chatter that must not be answered from the old context). Prints right /
wrong / none for both kinds, before (the message alone, as Wanzi answered until now) and after
(handlers/replies/followup.py: a message not sure alone asked in context; one sure alone kept with
the entry just answered when that entry speaks of the concept it names), at the default threshold.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT
from bench.knowledge import EVAL, faq_file
from handlers.replies.followup import Turn, interpret
from handlers.replies.smalltalk import classify
from handlers.wiring import DEMO_FAQ
from persona.faq import DEFAULT_CLARIFY_THRESHOLD, FaqIndex, clarify_options, load_faq_file

PAIRS = ROOT / "tests" / "followup_eval"


@dataclass(frozen=True, slots=True)
class Pair:
    shop: str
    previous: str
    followup: str
    expected: str  # "" = none should answer
    kind: str  # followup | newtopic


def load_pairs(split: str) -> list[Pair]:
    with (PAIRS / f"{split}.csv").open(encoding="utf-8") as f:
        return [Pair(r["shop"], r["previous"], r["followup"], r["expected"], r["kind"]) for r in csv.DictReader(f)]


def knowledge_file(shop: str) -> Path:
    return DEMO_FAQ if shop == "demo" else faq_file(EVAL / shop)


async def context(index: FaqIndex, previous: str) -> Turn | None:
    """What the persona did with the previous question: answered it, offered entries, or neither."""
    ranked = await index.rank(previous, 2)
    if ranked and ranked[0].confidence >= index.threshold:
        return Turn(previous, answered=frozenset({ranked[0].entry.id}))
    options = clarify_options(ranked, DEFAULT_CLARIFY_THRESHOLD, index.threshold)
    return Turn(previous, offered=frozenset(e.id for e in options)) if options else None


async def outcomes(pairs: list[Pair]) -> list[tuple[Pair, str | None, str | None]]:
    """(pair, entry answered before, entry answered after) for every pair."""
    indexes: dict[str, FaqIndex] = {}
    found = []
    for pair in pairs:
        if pair.shop not in indexes:
            indexes[pair.shop] = FaqIndex(load_faq_file(knowledge_file(pair.shop)))
        index = indexes[pair.shop]
        alone = await index.best(pair.followup)
        before = alone.entry.id if alone else None
        after = before
        turn = await context(index, pair.previous)
        if alone is None and classify(pair.followup) is None and turn is not None:
            match = await interpret(index, turn, pair.followup)
            after = match.entry.id if match else None
        elif alone is not None and turn is not None and alone.entry.id not in turn.answered:
            match = await interpret(index, turn, pair.followup, sure=alone)
            after = match.entry.id if match else before
        found.append((pair, before, after))
    return found


def verdict(expected: str, got: str | None) -> str:
    return "none" if got is None else "right" if got == expected else "wrong"


def tally(found: list[tuple[Pair, str | None, str | None]], kind: str) -> tuple[Counter[str], Counter[str]]:
    """Right / wrong / none before and after for one kind of pair; where no entry should answer,
    nothing answered is right."""
    rows = [(p, b, a) for p, b, a in found if p.kind == kind]
    before = Counter("right" if b == (p.expected or None) else verdict(p.expected, b) for p, b, _ in rows)
    after = Counter("right" if a == (p.expected or None) else verdict(p.expected, a) for p, _, a in rows)
    return before, after


def table(found: list[tuple[Pair, str | None, str | None]]) -> str:
    lines = ["| | pairs | before: right / wrong / none | after: right / wrong / none |", "|---|---|---|---|"]
    for kind, label in (("followup", "follow-ups"), ("newtopic", "new topic or chatter")):
        rows = [p for p, _, _ in found if p.kind == kind]
        before, after = tally(found, kind)
        lines.append(f"| {label} | {len(rows)} | " + " / ".join(str(before[k]) for k in ("right", "wrong", "none"))
                     + " | " + " / ".join(str(after[k]) for k in ("right", "wrong", "none")) + " |")
    return "\n".join(lines)


def main(split: str) -> None:
    found = asyncio.run(outcomes(load_pairs(split)))
    print(f"split {split}: {len(found)} pairs; a follow-up with no entry is right when nothing is answered")
    print(table(found))
    if "--misses" in sys.argv:
        for pair, before, after in found:
            if after != (pair.expected or None):
                print(f"  {pair.shop}: {pair.previous} → {pair.followup}: expected {pair.expected or '-'}, "
                      f"before {before or '-'}, after {after or '-'}")


if __name__ == "__main__":
    main(next((a for a in sys.argv[1:] if not a.startswith("--")), "dev"))
