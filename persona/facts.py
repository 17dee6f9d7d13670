"""Facts stated inside an answer: "你们的精华液有没有酒精" when no entry is about alcohol, but the
pregnancy entry's answer says "柚见全线不含酒精和水杨酸". The sentence model ranks that entry first yet is
not sure of it (its phrasings ask about pregnancy), so the question would go to a colleague.

A question that asks whether there is something ("有没有酒精", "美白系列有烟酰胺吗", "有粽子吗", "单车课有吗")
is answered with the entry whose answer says so, when the words leave no doubt (`Facts.find`):
- a word of what is asked ("酒精") stands in that one entry's answer and nowhere else in the knowledge base,
  nor in that entry's phrasings (then the phrasings are matched on meaning as usual);
- the answer states it: a word of having comes before it in the same clause ("不含酒精", "端午有粽子礼盒");
- every other word of the question is in that entry, or in no entry at all ("精华液", a product the base
  never names, may be asked about; "体验店有停车位吗" names 停车位, which that entry never does, so no), and
  all of what is asked is in that entry ("酒精棉片有吗" asks about pads, not alcohol); one unknown word at most;
- the entry speaks of every shop concept and kind the question names (persona/followup.py `spoken`);
- the sentence model does not rule it out: the entry is among the question's best three (FaqIndex.rank).

Sentence vectors alone were tried first and dropped (docs/knowledge-history.md): the best answer clause
of a question is as close to off-topic lines as to the questions it answers.
"""

from __future__ import annotations

import re
from typing import Sequence

from persona.faq import FaqEntry, FaqMatch
from persona.followup import FILLER, FOR_WHOM, clearly_named, spoken
from persona.matcher import kinds
from persona.segment import STOPWORDS
from persona.wording import plain

UNKNOWN = 1  # words of the question the knowledge base never uses, at most ("精华液")

# Asking whether there is something, clause by clause, with what is asked (`x`): after "有没有", "含不含"
# ("精华液有没有酒精"), before "有吗", "还有没有" ("提拉米苏还有吗"), or between a word of having and a
# question particle ("美白系列有烟酰胺吗", "含酒精吗", "卖豆子吗").
_ASKS_IF = (
    re.compile(r"(?:有没有|有无|有木有|有不有|含不含|带不带|卖不卖|提供不提供|(?:会不会|是不是|是否)(?:有|含|添加))"
               r"(?P<x>.+?)(?:吗|呢|啊|呀)?$"),
    re.compile(r"^(?P<x>.+?)(?:还有没有|有没有|还有吗|有吗|还有么|有么|还有没|有没|有不)(?:呢|啊|呀)?$"),
    re.compile(r"(?<!所)(?:含有|含|有|提供|卖)(?P<x>.+?)(?:吗|么|嘛|不|没有|没)(?:呢|啊|呀)?$"),
)
_CLAUSES = re.compile(r"[，,。.？?！!~～\s]+")
# Words of having before the word in the answer's clause: "不含酒精", "端午有粽子礼盒", "提供洗发水和沐浴露".
_HAVING = r"(?:(?<!所)有|含|无|提供|添加|卖)"
_STATES = re.compile(rf"{_HAVING}[^，,。；;！!？?]{{0,12}}$")
_ANSWER_CLAUSES = re.compile(r"(?<=[。；;！!？?，,])")
# The question's own asking and having words: they say what kind of question it is, not what about.
_ASKING = ("有没有 没有 有木有 有无 有不有 含不含 带不带 卖不卖 是不是 能不能 可不可以 会不会 多久 多少 几天 几点 "
           "怎么 什么 哪里 哪儿 哪些 哪个 哪种 为什么 为啥 你好 您好 在吗 在不在 还有 提供").split()
_DROP = re.compile("|".join(sorted({w for w in (*_ASKING, *STOPWORDS) if len(w) > 1}, key=len, reverse=True)))
_BREAK = re.compile(f"[{re.escape(''.join(FILLER))}\\s，,。.？?！!~～、]+")


def asked_if(question: str) -> list[str]:
    """What the question asks whether there is, one text a clause ("精华液有没有酒精" → ["酒精"])."""
    found = []
    for clause in _CLAUSES.split(question):
        for pattern in _ASKS_IF:
            m = pattern.search(clause)
            if m is not None:
                found.append(m["x"])
                break
    return [x for x in found if x]


def clauses(answer: str) -> list[str]:
    return [c.strip() for c in _ANSWER_CLAUSES.split(answer) if c.strip()]


def states(clause: str, word: str) -> bool:
    """The answer's clause says whether there is `word`: a word of having comes before it, or begins it
    ("含玉米" in "不含玉米和小麦")."""
    return any(_STATES.search(clause[:m.start()]) or re.match(_HAVING, word)
               for m in re.finditer(re.escape(word), clause))


class Facts:
    """The knowledge base's answers, searched by the words of a question that asks whether there is
    something. No model and no dictionary: a question's words are the longest pieces of it that the
    knowledge base itself uses (and the runs of characters it does not), so nothing is loaded."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        self._texts = [" ".join(e.questions + e.keywords + (e.answer,)).lower() for e in self.entries]
        self._phrasings = [" ".join(e.questions + e.keywords).lower() for e in self.entries]
        self._all = "\n".join(self._texts)

    def pieces(self, text: str) -> list[tuple[str, bool]]:
        """The text's words: the longest pieces of two characters or more the knowledge base uses
        (True), and the runs of characters between them it does not (False). Asking and function
        words are left out, and the text is cut at characters that carry no meaning (persona/followup.py
        FILLER)."""
        out: list[tuple[str, bool]] = []
        for run in _BREAK.split(_DROP.sub(" ", text)):
            start = i = 0
            while i < len(run):
                j = i + 2
                while j <= len(run) and run[i:j] in self._all:
                    j += 1
                if j == i + 2:  # not even two characters here are the knowledge base's
                    i += 1
                    continue
                if start < i:
                    out.append((run[start:i], False))
                out.append((run[i:j - 1], True))
                start = i = j - 1
            if start < len(run):
                out.append((run[start:], False))
        return out

    def find(self, question: str, ranked: Sequence[FaqMatch]) -> FaqMatch | None:
        """The entry whose answer states what the question asks whether there is (the module's rules),
        when it is among `ranked` (the question's best entries), with its confidence there; None when
        the words leave any doubt."""
        text = plain(question).lower()
        wanted = asked_if(text)
        if not wanted:
            return None
        words = self.pieces(text)
        where = {w: [n for n, t in enumerate(self._texts) if w in t] for w, known in words if known}
        asked = [(w, known) for w, known in words if any(w in x or x in w for x in wanted)]
        pins = {where[w][0] for w, known in asked if known and len(where[w]) == 1
                and w in self.entries[where[w][0]].answer.lower() and w not in self._phrasings[where[w][0]]}
        if len(pins) != 1:
            return None
        (n,) = pins
        if any(n not in ns for ns in where.values()):
            return None  # a word of another entry: the question is (also) about something else
        if any(not known and (len(w) > 1 or w not in self._texts[n]) for w, known in asked):
            return None  # a part of what is asked that this entry never names ("酒精棉片": 棉片)
        if sum(1 for w, known in words if not known and len(w) > 1) > UNKNOWN:
            return None
        entry = self.entries[n]
        if not any(states(c.lower(), w) for c in clauses(entry.answer) for w, known in asked
                   if known and w in c.lower()):
            return None
        if not (clearly_named(text) - FOR_WHOM <= spoken(entry)
                and kinds(text) <= kinds(" ".join(entry.questions + entry.keywords + (entry.answer,)))):
            return None
        return next((m for m in ranked if m.entry.id == entry.id), None)
