"""Facts stated inside an answer, on the evaluation shops: `python -m bench.knowledge_facts [dev|final]`.

tests/knowledge_eval/facts.csv: rows `shop,split,question,expected` — a question asked of a shop of
tests/knowledge_eval (or `demo`, persona/faq.toml) about a fact its answers state ("推车多重",
"有粽子吗"; `expected` the entry whose answer says it), or one that shares a word with an answer but
is answered by none (`expected` empty: "纸尿裤有香精吗" when only the wipes are said to have none).
Written on 2026-12-03 before the rule of persona/facts.py was tried; the dev rows were looked at
while choosing it, the final rows once after. Prints right / wrong / answered-without-an-entry at
the default threshold, before (the sentence model alone) and after (and, below the threshold, the
entry whose answer states what a question asks whether there is), and every question the facts answer.
"""

from __future__ import annotations

import csv
import sys

from bench.common import ROOT
from bench.knowledge import EVAL, faq_file
from handlers.replies.faq_eval import EvalQuestion, Outcome, run
from handlers.wiring import DEMO_FAQ
from persona.faq import DEFAULT_THRESHOLD, FaqIndex, load_faq_file

FACTS = ROOT / "tests" / "knowledge_eval" / "facts.csv"


def outcomes(split: str) -> list[Outcome]:
    rows = [r for r in csv.DictReader(FACTS.open(encoding="utf-8")) if r["split"] == split]
    found: list[Outcome] = []
    for shop in sorted({r["shop"] for r in rows}):
        entries = load_faq_file(DEMO_FAQ if shop == "demo" else faq_file(EVAL / shop))
        ids = {key: e.id for e in entries for key in (e.id, *e.questions)}
        index = FaqIndex(entries)
        index.build()
        found += run(index, [EvalQuestion(r["question"], ids[r["expected"]] if r["expected"] else None,
                                          "question" if r["expected"] else "offtopic", n)
                             for n, r in enumerate(rows) if r["shop"] == shop])
    return found


def main(split: str) -> None:
    found = outcomes(split)
    t = DEFAULT_THRESHOLD
    asked = [o for o in found if o.question.expected is not None]
    other = [o for o in found if o.question.expected is None]

    def sent(o: Outcome, facts: bool) -> str | None:
        return o.answered(t) if facts else (o.top if o.confidence >= t else None)

    right, wrong, off = ([sum(sent(o, facts) == o.question.expected for o in asked) for facts in (False, True)],
                         [sum(sent(o, facts) not in (None, o.question.expected) for o in asked)
                          for facts in (False, True)],
                         [sum(sent(o, facts) is not None for o in other) for facts in (False, True)])
    print(f"split {split}: {len(asked)} questions about a fact an answer states, {len(other)} answered by none; "
          f"threshold {t:.2f}")
    print(f"  right                      {right[0]:3d} -> {right[1]:3d}")
    print(f"  wrong                      {wrong[0]:3d} -> {wrong[1]:3d}")
    print(f"  answered, none should      {off[0]:3d} -> {off[1]:3d}")
    for o in found:
        if o.confidence < t and o.stated:
            mark = "right" if o.stated == o.question.expected else "WRONG"
            print(f"  {mark}: {o.question.text} -> {o.stated} (ranked first {o.top} {o.confidence:.2f})")


if __name__ == "__main__":
    main(next((a for a in sys.argv[1:] if not a.startswith("--")), "dev"))
