"""An Aho-Corasick automaton: every keyword of every tagging rule found in one pass over a text.

Operators write many short Chinese keywords ("干皮", "起皮", "保湿"); Chinese has no spaces, so
substring matching is what they expect, and one automaton keeps the cost independent of the
number of rules (a loop over regexes would grow with every keyword added).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, deque
from typing import Callable, Iterable, Mapping, Sequence


def any_of(words: Sequence[str]) -> re.Pattern[str]:
    """One pattern that finds a text holding any of the words: `any_of(ws).search(t)` is truthy exactly
    when `any(w in t for w in ws)` is (the words as literals; no word, no match), in one scan of the text."""
    return re.compile("|".join(re.escape(w) for w in words) if words else r"(?!)")


@functools.lru_cache(maxsize=64)
def any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    """`any_of` for word lists asked about on every message (a config's topics, whose tuples do not
    change): compiled once, so a text naming none of ~100 words is ruled out in one scan."""
    return any_of(words)


class WordSets:
    """Named sets of words; `named(text)` is the names whose set has a word in `text` (as literals, case kept):
    `{n for n, ws in sets.items() if any_of(ws).search(text)}`, by one look per character of the text at the words
    that begin with it, rather than one search per set (the concepts and topics asked of every kf text: ~2.5×
    faster on the benchmark's question, bench/README.md, twenty-fourth slice)."""

    def __init__(self, sets: Mapping[str, Iterable[str]]) -> None:
        starting: dict[str, list[tuple[str, int, str]]] = {}
        always: set[str] = set()
        for name, words in sets.items():
            for word in words:
                if word:
                    starting.setdefault(word[0], []).append((word, len(word), name))
                else:  # "" is in every text
                    always.add(name)
        self._starting = {ch: tuple(found) for ch, found in starting.items()}
        self._always = frozenset(always)

    def named(self, text: str) -> set[str]:
        found = set(self._always)
        starting = self._starting
        for at, ch in enumerate(text):
            if ch in starting:
                for word, length, name in starting[ch]:
                    if text[at:at + length] == word:
                        found.add(name)
        return found


class KeywordAutomaton:
    """Case-insensitive multi-keyword matcher; `find` counts the occurrences of each keyword."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._out: list[tuple[str, ...]] = [()]
        for word in {k.lower() for k in keywords if k}:
            self._insert(word)
        self._link()

    def _insert(self, word: str) -> None:
        node = 0
        for ch in word:
            nxt = self._goto[node].get(ch)
            if nxt is None:
                nxt = len(self._goto)
                self._goto.append({})
                self._fail.append(0)
                self._out.append(())
                self._goto[node][ch] = nxt
            node = nxt
        self._out[node] = (*self._out[node], word)

    def _link(self) -> None:
        """Breadth-first failure links; each node inherits the outputs of its failure node."""
        queue = deque(self._goto[0].values())
        while queue:
            node = queue.popleft()
            for ch, child in self._goto[node].items():
                queue.append(child)
                fallback = self._fail[node]
                while fallback and ch not in self._goto[fallback]:
                    fallback = self._fail[fallback]
                target = self._goto[fallback].get(ch, 0)
                self._fail[child] = target if target != child else 0
                self._out[child] = (*self._out[child], *self._out[self._fail[child]])

    def find(self, text: str) -> Counter[str]:
        hits: Counter[str] = Counter()
        node = 0
        for ch in text.lower():
            while node and ch not in self._goto[node]:
                node = self._fail[node]
            node = self._goto[node].get(ch, 0)
            for word in self._out[node]:
                hits[word] += 1
        return hits


def said_where(text: str, word: str, counts: Callable[[int], bool]) -> bool:
    """Some occurrence of `word` in `text` counts (`counts(start)`): one not denied, declined, asked..."""
    start = text.find(word)
    while start >= 0:
        if counts(start):
            return True
        start = text.find(word, start + 1)
    return False
