"""Whole kf conversations with the default persona, measured on a held-out set (tests/dialogue_eval/
final2.toml, written by an author who saw neither the other splits nor the bot's replies; bench/dialogues.py
drives them through the bot and scores each turn against the outcomes an operator would accept). Quality
figures of the conversation as the customer sees it, not timings."""

from __future__ import annotations

from bench.dialogues import figures, load, run


async def test_held_out_conversations_mostly_get_a_fitting_reply_and_rarely_a_wrong_answer() -> None:
    conversations = load("final2")
    found = await run(conversations)
    got = figures(found)
    assert got.conversations >= 20 and got.turns >= 100
    assert got.fitting / got.turns >= 0.74, got  # 77.1 % (55.0 % before 2026-12-02; README "Conversations")
    assert got.wrong_faq / got.turns <= 0.06, got  # 3.7 %: the knowledge base answering what was not asked
    assert got.needless_fallback / got.turns <= 0.08, got  # 4.6 %: "I'll ask a colleague" for what needs none
