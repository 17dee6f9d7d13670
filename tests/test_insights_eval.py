"""The suggestion detector on customers' own words, measured on the held-out split.

tests/insights_eval: kf texts labelled by hand, suggestions phrased in many ways (most without
the rule words) and what must stay out (questions, delivery and refund matters, small talk,
feelings, praise, advice-seeking, check-ins, product complaints). The knowledge model
(handlers/insights/model.py: exemplars, K, MARGIN; the question rules of detector.py) was tuned
on dev.csv only; final.csv was written afterwards and run once (the third such split: the
earlier two were folded into dev.csv after their one run, README). The figures asserted are the
ones reached (README, "KOCs and suggestion-givers"): a change that makes the detector worse
fails here.
"""

from __future__ import annotations

from bench.suggestions import evaluate, load_split


def test_the_held_out_split_is_large_and_varied() -> None:
    rows = load_split("final")
    assert sum(r.suggestion for r in rows) >= 60 and sum(not r.suggestion for r in rows) >= 100
    assert sum(r.kind == "free" for r in rows) >= 40  # suggestions without the rule words
    kinds = {r.kind for r in rows if not r.suggestion}
    assert {"service", "question", "smalltalk", "praise", "advice", "checkin"} <= kinds


def test_the_model_finds_held_out_suggestions_the_rules_miss_without_crying_wolf() -> None:
    rules, both = evaluate("final")
    assert rules.recall <= 0.27  # the rules alone: 26.2 % of the suggestions (precision 100 %)
    assert both.recall >= 0.83  # rules + model: 83.6 %
    assert both.precision >= 0.92  # 92.7 %
