"""Tagging rules: what a customer says → tags to add or remove, and maybe a lifecycle stage.

Rules live in persona files (`[[rules]]`, the preset's defaults) and optionally in an operator
file named by `tagging.rules_path`. Keywords go into one Aho-Corasick automaton; regexes are
for the few patterns keywords cannot say. Conditions that need history (mentions within a
number of days) are checked by handlers/tagging.py against recorded rule hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterable

from persona.keywords import KeywordAutomaton, said_where
from persona.model import PersonaError, read_toml


@dataclass(frozen=True, slots=True)
class TagRef:
    """A tag named "group:name", e.g. "兴趣:保湿"; groups are WeCom corp tag groups."""

    group: str
    name: str

    @classmethod
    def parse(cls, text: str, *, source: str, key: str) -> TagRef:
        group, sep, name = text.partition(":")
        if not sep or not group.strip() or not name.strip():
            raise PersonaError(source, key, f'tag {text!r} must look like "group:name"')
        if len(group) > 30 or len(name) > 30:
            raise PersonaError(source, key, f"tag {text!r}: group and name are at most 30 characters")
        return cls(group.strip(), name.strip())

    def __str__(self) -> str:
        return f"{self.group}:{self.name}"


@dataclass(frozen=True, slots=True)
class TagRule:
    name: str
    keywords: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    channels: tuple[str, ...] = ()  # only customers who came through these channels (State / kf scene)
    min_mentions: int = 1  # how many messages must hit the rule ...
    within_days: int = 30  # ... within this many days
    add: tuple[TagRef, ...] = ()
    remove: tuple[TagRef, ...] = ()
    stage: str = ""  # lifecycle stage to enter when the rule fires
    private: bool = False  # a staff-side label ("意向:询价", "价值:高意向"): tagged, never said back to the customer
    skin: bool = False  # a skincare rule ("过敏" → 肤质:敏感肌): fires only while the knowledge base speaks of skin


def _strings(value: Any, source: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PersonaError(source, key, "must be a list of non-empty texts")
    return tuple(v.strip() for v in value)


def _int(item: dict[str, Any], name: str, default: int, source: str, key: str) -> int:
    value = item.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PersonaError(source, f"{key}.{name}", "must be a positive integer")
    return value


RULE_KEYS = {"name", "keywords", "regex", "channels", "min_mentions", "within_days", "add", "remove", "stage",
             "private", "skin"}


def parse_rules(items: Any, source: str, stages: Collection[str], where: str = "rules") -> tuple[TagRule, ...]:
    """Lint and build rules; unknown keys, bad regexes, tags and stages are errors naming the rule."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PersonaError(source, where, "must be an array of tables ([[rules]])")
    rules, names = [], set()
    for n, item in enumerate(items):
        name = item.get("name")
        key = f"{where}[{n}]" if not isinstance(name, str) or not name else f"{where}.{name}"
        if not isinstance(name, str) or not name.strip():
            raise PersonaError(source, key, "needs a name")
        if name in names:
            raise PersonaError(source, key, "duplicate rule name")
        names.add(name)
        unknown = sorted(set(item) - RULE_KEYS)
        if unknown:
            raise PersonaError(source, f"{key}.{unknown[0]}", "unknown rule key")
        keywords = _strings(item.get("keywords"), source, f"{key}.keywords")
        regex = item.get("regex", "")
        pattern = None
        if regex:
            try:
                pattern = re.compile(str(regex), re.IGNORECASE)
            except re.error as exc:
                raise PersonaError(source, f"{key}.regex", f"not a valid regex: {exc}") from None
        if not keywords and pattern is None:
            raise PersonaError(source, key, "needs keywords or a regex")
        add = tuple(TagRef.parse(t, source=source, key=f"{key}.add")
                    for t in _strings(item.get("add"), source, f"{key}.add"))
        remove = tuple(TagRef.parse(t, source=source, key=f"{key}.remove")
                       for t in _strings(item.get("remove"), source, f"{key}.remove"))
        stage = str(item.get("stage", "") or "")
        if stage and stage not in stages:
            raise PersonaError(source, f"{key}.stage", f"unknown stage {stage!r}; known: {', '.join(sorted(stages))}")
        private, skin = item.get("private", False), item.get("skin", False)
        for flag, value in (("private", private), ("skin", skin)):
            if not isinstance(value, bool):
                raise PersonaError(source, f"{key}.{flag}", "must be true or false")
        if not add and not remove and not stage:
            raise PersonaError(source, key, "does nothing: give add, remove or stage")
        rules.append(TagRule(name=name, keywords=keywords, pattern=pattern,
                             channels=_strings(item.get("channels"), source, f"{key}.channels"),
                             min_mentions=_int(item, "min_mentions", 1, source, key),
                             within_days=_int(item, "within_days", 30, source, key),
                             add=add, remove=remove, stage=stage, private=private, skin=skin))
    return tuple(rules)


def load_rules_file(path: str | Path, stages: Collection[str]) -> tuple[TagRule, ...]:
    """An operator's extra rules: a TOML file of [[rules]] tables, linted like persona rules."""
    p = Path(path)
    return parse_rules(read_toml(p).get("rules"), str(p), stages)


# "不是过敏，就是有点干", "没有出油", "用了没过敏": the customer denies the keyword, which tells nothing about
# them; so does a trouble gone ("真的不起皮了", "不再泛红", "再也没起皮"), but not one wished away ("才能不晒黑").
# "有没有保湿的", "是不是敏感肌" ask, and "不是保湿的吗" asks too: those still count.
_DENIED = re.compile(r"(不是|没有?|并非|(?<![能会才想要怕让使])不)再?$")
_ASKED = re.compile(r"(是不是|有没有?)$")
_ASKING_AFTER = re.compile(r"^[^，,。；;!！]*?(吗|么|[?？])")
# "那就送保湿霜吧 她是干皮", "我妈皮肤是干皮": the keyword says something of someone else, not the customer.
_SOMEONE_ELSE = re.compile(r"(她|他|她们|他们|我妈|妈妈|老妈|我爸|爸爸|老公|老婆|男朋友|女朋友|男友|女友|对象|闺蜜|"
                           r"朋友|婆婆|孩子|儿子|女儿)(的)?((皮肤|肤质|脸)(是|属于|偏|也是)?|是|属于|偏|也是)(个)?$")


def said(text: str, word: str, rivals: tuple[str, ...] = ()) -> bool:
    """The (lower-case) text says the keyword at least once without denying it, of the customer (not
    of someone else: "她是干皮"), and not as part of a longer rival keyword ("混油皮" says 混油皮, not
    the 油皮 inside it)."""
    def counts(start: int) -> bool:
        before = text[max(0, start - 3):start]
        if _SOMEONE_ELSE.search(text[max(0, start - 8):start]):
            return False
        return (not _DENIED.search(before) or _ASKED.search(before) is not None
                or before.endswith(f"{word[0]}不")  # "起不起皮", "干不干燥": asked
                or _ASKING_AFTER.match(text[start + len(word):]) is not None)

    def own(start: int) -> bool:
        return not any(text.startswith(r, start - at) for r in rivals
                       for at in range(len(r) - len(word) + 1) if r[at:at + len(word)] == word)
    return said_where(text, word, lambda start: own(start) and counts(start))


def rivals(rules: Iterable[TagRule]) -> dict[str, tuple[str, ...]]:
    """Each keyword's rivals: longer keywords holding it, of rules adding a tag of the same group
    (肤质:混合皮's "混油皮" holds 肤质:油皮's "油皮": one skin type is said, not two)."""
    groups = [(r, {t.group for t in r.add}) for r in rules]
    found: dict[str, tuple[str, ...]] = {}
    for rule, mine in groups:
        for word in (k.lower() for k in rule.keywords):
            longer = {k.lower() for other, theirs in groups if other is not rule and mine & theirs
                      for k in other.keywords if word in k.lower() and k.lower() != word}
            if longer:
                found[word] = tuple(sorted(longer))
    return found


class RuleBook:
    """Which rules a message hits: one automaton pass for keywords, then the few regexes."""

    def __init__(self, rules: Iterable[TagRule]) -> None:
        self.rules = tuple(rules)
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("duplicate rule names")
        self._by_keyword: dict[str, list[TagRule]] = {}
        for rule in self.rules:
            for word in rule.keywords:
                self._by_keyword.setdefault(word.lower(), []).append(rule)
        self._automaton = KeywordAutomaton(self._by_keyword)
        self._rivals = rivals(self.rules)
        self._regex_rules = [r for r in self.rules if r.pattern is not None]

    def matching(self, text: str, channel: str = "", *, skin: bool = True) -> list[TagRule]:
        """Rules the text hits, in declaration order, honouring each rule's channel condition; `skin`: the
        knowledge base speaks of skin, else a skincare rule (`skin = true`: "过敏" said in a bakery) never fires."""
        if not text:
            return []
        lower = text.lower()
        # a staff-side label (private: "意向:询价") is about the topic, denied or not ("我没有优惠券")
        hit = {r.name for word in self._automaton.find(text) for r in self._by_keyword[word]
               if r.private or said(lower, word, self._rivals.get(word, ()))}
        hit.update(r.name for r in self._regex_rules if r.pattern is not None and r.pattern.search(text))
        return [r for r in self.rules if r.name in hit and (not r.channels or channel in r.channels)
                and (skin or not r.skin)]
