"""The shop concepts, kinds and topics a message names (persona/matcher.py, persona/followup.py) are
found by one regex per concept (`any_of`): a message names a concept exactly when one of its words
is in the text, as the word-by-word check found it, whatever else the text holds."""

from __future__ import annotations

import random

from persona import followup, matcher
from persona.matcher import CONCEPTS, EXCLUSIVE, any_of

WORDS = sorted({w for ws in CONCEPTS.values() for w in ws} | {w for g in EXCLUSIVE for ws in g for w in ws}
               | {w for ws in followup.TOPICS.values() for w in ws})
OTHER = list("的了吗呢我你想问下这个能用多久天猫开封可以退混油皮肤有点比较.*+?()[]|\\^$ ") + ["10点", "放心"]


def texts(n: int) -> list[str]:
    """Questions made of concept words, their halves, and other characters (regex ones included)."""
    rng = random.Random(13)
    out = ["", "你好", "天猫旗舰店买的也算吗", "用过之后不合适 能退吗 已经开封了", "开封了还能用多久 能退吗",
           "我是混油皮"]
    for _ in range(n):
        parts = [rng.choice(WORDS) if rng.random() < 0.4 else rng.choice(WORDS)[: rng.randint(1, 2)]
                 if rng.random() < 0.5 else rng.choice(OTHER) for _ in range(rng.randint(1, 8))]
        out.append("".join(parts))
    return out


def test_any_of_finds_what_the_word_by_word_check_found() -> None:
    groups = [*CONCEPTS.values(), *(ws for g in EXCLUSIVE for ws in g), *followup.TOPICS.values(),
              ("a.b", "(", "x|y"), ("",), ()]
    for text in texts(3000):
        for words in groups:
            assert (any_of(words).search(text) is not None) == any(w in text for w in words), (words, text)


def old_concepts(text: str) -> frozenset[str]:
    text = text.replace("天猫", " ")
    return frozenset(name for name, words in CONCEPTS.items() if any(w in text for w in words))


def old_kinds(text: str) -> frozenset[tuple[int, int]]:
    text = matcher._MIXED.sub("混合皮", matcher._DEGREE.sub("皮肤", text))
    return frozenset((g, k) for g, group in enumerate(EXCLUSIVE) for k, words in enumerate(group)
                     if any(w in text for w in words))


def old_clearly(concept: str, text: str) -> bool:
    return any(len(w) > 1 and w in text for w in CONCEPTS.get(concept, ()) + followup.TOPICS.get(concept, ()))


def test_concepts_kinds_and_topics_are_those_the_words_name() -> None:
    names = [*CONCEPTS, *followup.TOPICS, "nothing"]
    for text in texts(3000):
        assert matcher.concepts(text) == old_concepts(text), text
        assert matcher.kinds(text) == old_kinds(text), text
        more = {name for name, words in followup.TOPICS.items() if any(w in text for w in words)}
        assert more <= followup.topics(text), text
        for name in names:
            assert followup._clearly(name, text) == old_clearly(name, text), (name, text)
