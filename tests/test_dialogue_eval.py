"""Whole kf conversations with the default persona, measured on a held-out set (tests/dialogue_eval/
final.toml; bench/dialogues.py drives them through the bot and scores each turn against the outcomes an
operator would accept). Quality figures of the conversation as the customer sees it, not timings."""

from __future__ import annotations

from bench.dialogues import figures, load, run


async def test_held_out_conversations_mostly_get_a_fitting_reply_and_rarely_a_wrong_answer() -> None:
    conversations = load("final")
    found = await run(conversations)
    got = figures(found)
    assert got.conversations >= 20 and got.turns >= 80
    assert got.fitting / got.turns >= 0.68, got  # 72.9 % when written (README "Conversations (evaluation)")
    assert got.wrong_faq / got.turns <= 0.08, got  # 5.9 %: the knowledge base answering what was not asked
    assert got.needless_fallback / got.turns <= 0.05, got  # 2.4 %: "I'll ask a colleague" for what needs none
    assert got.conversations_right / got.conversations >= 0.2, got  # 25 %: every turn of it fitting
