"""The suggestion detector on the evaluation set: `python -m bench.suggestions [dev|final]`.

tests/insights_eval holds customers' kf texts labelled by hand (text,suggestion,kind): dev.csv
to tune the knowledge model (handlers/insights/model.py: K, MARGIN, the exemplars), final.csv held
out. Prints precision and recall of the rules alone and of rules + model, the margin trade-off
(on the split asked for), the misses and false alarms at the margin used, the time per message
of the model's embedding, and what the knowledge base's lookup of the same text costs after it.
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass

from bench.common import ROOT, percentile
from handlers.insights.detector import rule_verdict
from handlers.insights.model import SuggestionModel, load_exemplars
from handlers.wiring import DEMO_FAQ
from persona.faq import FaqIndex, load_faq_file

EVAL = ROOT / "tests" / "insights_eval"


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    suggestion: bool
    kind: str


@dataclass(frozen=True, slots=True)
class Figures:
    suggestions: int
    others: int
    precision: float
    recall: float
    false_alarms: tuple[str, ...]
    misses: tuple[str, ...]


def load_split(split: str) -> list[Labelled]:
    with (EVAL / f"{split}.csv").open(encoding="utf-8") as f:
        return [Labelled(r["text"], r["suggestion"] == "1", r["kind"]) for r in csv.DictReader(f)]


def figures(rows: list[Labelled], said: list[bool]) -> Figures:
    hits = sum(r.suggestion and s for r, s in zip(rows, said, strict=True))
    return Figures(suggestions=sum(r.suggestion for r in rows), others=sum(not r.suggestion for r in rows),
                   precision=hits / max(sum(said), 1), recall=hits / max(sum(r.suggestion for r in rows), 1),
                   false_alarms=tuple(r.text for r, s in zip(rows, said, strict=True) if s and not r.suggestion),
                   misses=tuple(r.text for r, s in zip(rows, said, strict=True) if r.suggestion and not s))


def scores(rows: list[Labelled], model: SuggestionModel) -> list[float | None]:
    """The model's score of each text the rules leave to it (None: the rules decided)."""
    return [model.score(r.text) if rule_verdict(r.text) is None else None for r in rows]


def decide(rows: list[Labelled], scored: list[float | None], margin: float | None) -> list[bool]:
    """Rules alone (margin None) or rules + model at this margin."""
    return [rule_verdict(r.text) is True or (margin is not None and s is not None and s >= margin)
            for r, s in zip(rows, scored, strict=True)]


def evaluate(split: str, model: SuggestionModel | None = None) -> tuple[Figures, Figures]:
    """(rules only, rules + model at the model's margin) on a split."""
    rows = load_split(split)
    model = model or SuggestionModel(load_exemplars())
    model.build()
    scored = scores(rows, model)
    return figures(rows, decide(rows, scored, None)), figures(rows, decide(rows, scored, model.margin))


def _line(name: str, f: Figures) -> str:
    return f"{name:<16} precision {f.precision:6.1%}   recall {f.recall:6.1%}"


def main(split: str) -> None:
    rows = load_split(split)
    model = SuggestionModel(load_exemplars())
    started = time.perf_counter()
    model.build()
    print(f"{split}: {sum(r.suggestion for r in rows)} suggestions, {sum(not r.suggestion for r in rows)} others; "
          f"model ready in {time.perf_counter() - started:.2f} s "
          f"({len(model.exemplars.suggestion)} + {len(model.exemplars.other)} exemplars)")
    latencies: list[float] = []
    scored: list[float | None] = []
    for r in rows:
        started = time.perf_counter()
        scored.append(model.score(r.text) if rule_verdict(r.text) is None else None)
        if scored[-1] is not None:
            latencies.append(time.perf_counter() - started)
    rules, both = figures(rows, decide(rows, scored, None)), figures(rows, decide(rows, scored, model.margin))
    print(_line("rules only", rules))
    print(_line("rules + model", both) + f"   (margin {model.margin})")
    print(f"sent to the model: {len(latencies)} of {len(rows)}; embedding per message "
          f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms")
    kb = FaqIndex(load_faq_file(DEMO_FAQ))
    kb.build()
    shared: list[float] = []
    for r in rows:
        if rule_verdict(r.text) is None:  # embedded by the model above: the answer's lookup reuses it
            started = time.perf_counter()
            kb.score(r.text)
            shared.append(time.perf_counter() - started)
    print(f"the knowledge base's lookup of the same text afterwards: p50 {percentile(shared, 50) * 1000:.1f} ms "
          "(the vector is shared, not embedded twice)")
    print("\nmargin  precision  recall")
    for margin in (-0.01, -0.005, 0.0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02):
        f = figures(rows, decide(rows, scored, margin))
        print(f"{margin:+.4f}  {f.precision:8.1%}  {f.recall:6.1%}" + ("  <- used" if margin == model.margin else ""))
    print("\nfalse alarms:", " | ".join(both.false_alarms) or "none")
    print("misses:", " | ".join(both.misses) or "none")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dev")
