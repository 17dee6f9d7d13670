"""Concept and kind words found by one pattern each (persona/matcher.py `any_of`): every text names
exactly the concepts, kinds and follow-up topics the word-by-word check named."""

from __future__ import annotations

import random

from persona import followup, matcher
from persona.keywords import WordSets
from persona.matcher import _STATES, CONCEPTS, EXCLUSIVE, any_of


def _texts() -> list[str]:
    rng = random.Random(13)
    words = [w for ws in CONCEPTS.values() for w in ws] + [w for g in EXCLUSIVE for k in g for w in k]
    words += [w for ws in followup.TOPICS.values() for w in ws] + list(_STATES)
    filler = list("的了吗呢啊我你们这个那多久能可以不是有没用买天猫放心混油干皮") + ["。", " ", "?", "(", "*", "|"]
    texts = ["", "你好", "天猫旗舰店买的算正品吗", "开封了还能用多久 能退吗", "用过之后不合适 能退吗 已经开封了",
             "我是混油皮", "皮肤有点敏感", "配送费多少", "能放心买吗", "10:00 开门吗"]
    for _ in range(3000):
        parts = [rng.choice(words) if rng.random() < 0.4 else rng.choice(filler) for _ in range(rng.randrange(1, 9))]
        texts.append("".join(parts))
    return texts


def test_any_of_finds_what_the_word_loop_found() -> None:
    for words in [("寄", "快递"), ("a.b", "(x)", "|"), ("多少钱",), ()]:
        pattern = any_of(words)
        for text in ["", "寄快递", "a.b", "axb", "(x)", "x", "|", "多少钱呀", "价格"]:
            assert bool(pattern.search(text)) == any(w in text for w in words), (words, text)


def test_word_sets_name_what_the_word_loop_named() -> None:
    """persona/keywords.py `WordSets`: words sharing a start across sets ("痘痘" and "痘痘肌" at one place), one
    inside another, regex characters, case, repeats, the empty word and an empty set."""
    sets = {"acne": ("痘痘", "长痘"), "skin": ("痘痘肌", "油皮"), "sym": ("a.b", "(x)", "|", "A"), "any": ("",),
            "none": (), "twice": ("痘", "痘")}
    words = [w for ws in sets.values() for w in ws if w] + ["x", "a", "b", "肌", "。"]
    rng = random.Random(24)
    texts = ["", "痘痘肌", "长痘痘", "油", "axb", "a", *("".join(rng.choices(words, k=rng.randrange(1, 6)))
                                                     for _ in range(2000))]
    found = WordSets(sets)
    for text in texts:
        assert found.named(text) == {n for n, ws in sets.items() if any(w in text for w in ws)}, text


def test_concepts_kinds_and_topics_are_those_the_word_loop_named() -> None:
    for text in _texts():
        plain = matcher._NOT_CONCEPTS.sub(" ", text)
        assert matcher.concepts(text) == frozenset(
            name for name, ws in CONCEPTS.items() if any(w in plain for w in ws)), text
        folded = matcher._MIXED.sub("混合皮", matcher._DEGREE.sub("皮肤", text))
        assert matcher.kinds(text) == frozenset((g, k) for g, group in enumerate(EXCLUSIVE)
                                                for k, ws in enumerate(group) if any(w in folded for w in ws)), text
        named = matcher.concepts(text)
        keeping_itself = any(w in text for w in CONCEPTS["keeping"] if w not in _STATES)
        drop = "keeping" in named and ("returns" in named or "可以退" in text) and not keeping_itself
        assert matcher.asked_about(text) == (named - {"keeping"} if drop else named), text
        rest = followup._TOPIC_WORDS.sub(" ", followup._NO_TOPIC.sub(" ", text))
        more = {name for name, ws in followup.TOPICS.items() if any(w in text for w in ws)}
        clock = {"hours"} if followup._CLOCK.search(text) else set()
        assert followup.topics(text) == matcher.concepts(rest) | more | clock, text


def test_a_concept_clearly_named_is_one_named_in_a_word_of_two_characters_or_more() -> None:
    names = [*CONCEPTS, *followup.TOPICS, "nothing"]
    for text in _texts():
        for name in names:
            words = CONCEPTS.get(name, ()) + followup.TOPICS.get(name, ())
            assert followup._clearly(name, text) == any(len(w) > 1 and w in text for w in words), (name, text)
