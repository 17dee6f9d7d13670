"""Text helpers for follow-ups ("我还没拆呢" right after the returns answer): the previous question
and the follow-up asked together, and the part of an answer a follow-up on the same entry needs.

Pure functions over texts; handlers/replies/followup.py reads the chat and decides.
"""

from __future__ import annotations

import re

from persona.matcher import EXCLUSIVE, kinds

_SENTENCE = re.compile(r"(?<=[。；;！!？?])")
# Characters that say nothing about which part of an answer a follow-up is about.
_FILLER = frozenset("的了吗呢吧啊呀哦嘛么那还要能可以是不有没我你们这个吗怎么什么多少 ，,。？?！!～~")


def in_context(previous: str, text: str) -> str:
    """The previous question and the follow-up as one question. A kind the follow-up names
    ("那敏感肌呢") replaces the previous question's kinds of the same group ("干皮用什么面霜"), so
    the entry about the old kind is not what the pair asks for."""
    for group, kind in kinds(text):
        for other, words in enumerate(EXCLUSIVE[group]):
            if other != kind:
                for word in sorted(words, key=len, reverse=True):
                    previous = previous.replace(word, "")
    return f"{previous.strip()}，{text.strip()}"


def sentences(answer: str) -> list[str]:
    """An answer's sentences, end punctuation kept."""
    return [s.strip() for s in _SENTENCE.split(answer) if s.strip()]


def gist(answer: str, text: str) -> str:
    """The sentence of an answer a follow-up on the same entry is about (most characters in common
    with it; the first one on a tie): the fact again, not the whole answer word for word. A
    one-sentence answer is all of it."""
    parts = sentences(answer)
    if len(parts) < 2:
        return answer
    asked = set(text) - _FILLER
    best = max(range(len(parts)), key=lambda n: (len(asked & set(parts[n])), -n))
    return parts[best].rstrip("。；;")
