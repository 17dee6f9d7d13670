"""Adverse reactions told in the customer's own words, measured on a held-out set
(tests/reactions_eval/final.csv; the examples, TOP and MARGIN of handlers/escalation/reactions.py were
chosen on dev.csv and dev2.csv): the safety words alone notice few reactions, the words plus the
sentence model most, and few other messages are taken for one. Quality figures, not timings."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest

from handlers.escalation.config import EscalationConfig
from handlers.escalation.reactions import reaction_model, reactions_of, sense_reaction
from handlers.escalation.rules import safety_topic
from persona.embed import shared_embedder
from tests.test_feelings_eval import Broken  # a model whose engine fails


def rows(split: str) -> list[tuple[str, bool]]:
    with (Path(__file__).parent / "reactions_eval" / f"{split}.csv").open(encoding="utf-8") as f:
        return [(r["text"], r["expected"] == "1") for r in csv.DictReader(f)]


def test_held_out_reactions_are_noticed_and_other_messages_left_alone() -> None:
    data = rows("final")
    texts = [t for t, _ in data]
    words = [safety_topic(t, EscalationConfig()) is not None for t in texts]
    sensed = [w or m for w, m in zip(words, reactions_of(texts, shared_embedder()), strict=True)]
    reactions = [s for s, (_, e) in zip(sensed, data, strict=True) if e]
    others = [s for s, (_, e) in zip(sensed, data, strict=True) if not e]
    by_words = [w for w, (_, e) in zip(words, data, strict=True) if e]
    assert len(reactions) >= 40 and len(others) >= 40
    noticed = sum(reactions) / len(reactions)
    assert noticed >= 0.8, noticed  # 87.5 % when written (README "Escalation to a human advisor")
    assert sum(by_words) / len(by_words) < 0.2  # the words alone: 7.5 %
    assert sum(others) / len(others) <= 0.05  # 2.5 % when written (the words' own: 花粉过敏)


async def test_a_failing_model_leaves_the_words_to_decide_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    model = reaction_model(Broken())
    with caplog.at_level(logging.ERROR):
        assert await sense_reaction("用了脸有点痒痒的", "过敏", model) is None  # not ready: builds in the background
        building = model.building
        assert building is not None
        await building
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert getattr(record, "model", None) == "reactions" and "not embedded" in record.getMessage()
