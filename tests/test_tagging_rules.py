"""Keyword rules match in one Aho-Corasick pass; regexes and channels narrow them."""

from __future__ import annotations

from collections import Counter

import pytest

from persona import PersonaError
from persona.keywords import KeywordAutomaton
from persona.rules import RuleBook, TagRef, TagRule, parse_rules


def test_the_automaton_finds_overlapping_and_nested_keywords() -> None:
    automaton = KeywordAutomaton(["干皮", "皮肤干", "保湿", "湿", "he", "she", "hers"])
    assert automaton.find("我皮肤干，是干皮，想要保湿保湿") == Counter({"保湿": 2, "湿": 2, "干皮": 1, "皮肤干": 1})
    assert automaton.find("USHERS") == Counter({"she": 1, "he": 1, "hers": 1})  # case-insensitive
    assert automaton.find("") == Counter()


def rule(name: str, **kw: object) -> TagRule:
    return TagRule(name=name, add=(TagRef("兴趣", name),), **kw)  # type: ignore[arg-type]


def test_rules_match_in_declaration_order_and_honour_channels() -> None:
    import re

    book = RuleBook([rule("hydration", keywords=("保湿", "补水")), rule("dry", keywords=("干皮",)),
                     rule("vip_only", keywords=("保湿",), channels=("vip_qr",)),
                     rule("order", pattern=re.compile(r"订单号?\s*\d{6,}"))])
    assert [r.name for r in book.matching("我是干皮,想要保湿")] == ["hydration", "dry"]
    assert [r.name for r in book.matching("想要保湿", channel="vip_qr")] == ["hydration", "vip_only"]
    assert [r.name for r in book.matching("订单 1234567 到哪了")] == ["order"]
    assert book.matching("今天天气不错") == []


@pytest.mark.parametrize("text,names", [
    ("不是过敏，就是有点干", []), ("我不是干皮", []), ("用了没过敏", []), ("没有保湿效果", []),
    ("不是过敏，是干皮", ["dry"]),  # the denial reaches its own keyword only
    ("有没有保湿的", ["hydration"]), ("不是保湿的吗", ["hydration"]), ("是不是干皮啊", ["dry"]),  # asked
    ("没过敏，但一换季就过敏", ["sensitive"]),  # said once without denying it
    ("我没有优惠券", ["price"]),  # a staff-side label is about the topic, denied or not
    ("真的不干皮了", []), ("用了再也不过敏了", []), ("没再过敏", []),  # a trouble gone
    ("怎么才能不过敏", ["sensitive"]), ("过不过敏", ["sensitive"]), ("用了会不会过敏", ["sensitive"]),  # asked
])
def test_a_denied_keyword_tells_nothing_about_the_customer(text: str, names: list[str]) -> None:
    book = RuleBook([rule("sensitive", keywords=("过敏",)), rule("dry", keywords=("干皮",)),
                     rule("hydration", keywords=("保湿",)),
                     TagRule(name="price", keywords=("优惠券",), add=(TagRef("意向", "询价"),), private=True)])
    assert [r.name for r in book.matching(text)] == names


def skin(name: str, *keywords: str) -> TagRule:
    return TagRule(name=name, keywords=keywords, add=(TagRef("肤质", name),))


@pytest.mark.parametrize("text,names", [
    ("我混油皮", ["混合皮"]), ("混干皮 冬天起皮", ["混合皮"]),  # the 油皮 / 干皮 inside is no second skin type
    ("我是油皮", ["油皮"]), ("以前是混油皮 现在变油皮了", ["油皮", "混合皮"]),  # said on its own once
    ("想要专属顾问", ["custom", "vip"]),  # a longer keyword of another tag group takes nothing away
])
def test_a_longer_keyword_of_the_same_tag_group_wins(text: str, names: list[str]) -> None:
    book = RuleBook([skin("油皮", "油皮", "出油"), skin("混合皮", "混油皮", "混干皮"), skin("干皮", "干皮"),
                     TagRule(name="custom", keywords=("专属",), add=(TagRef("需求", "定制方案"),)),
                     TagRule(name="vip", keywords=("专属顾问",), add=(TagRef("VIP", "重点客户"),))])
    assert [r.name for r in book.matching(text)] == names


def test_many_keywords_cost_one_pass() -> None:
    words = [f"词{i}" for i in range(5000)]
    book = RuleBook([rule("many", keywords=tuple(words))])
    assert [r.name for r in book.matching("这里有词4999")] == ["many"]


def test_a_rule_needs_a_trigger_and_an_effect() -> None:
    with pytest.raises(PersonaError, match="needs keywords or a regex"):
        parse_rules([{"name": "x", "add": ["a:b"]}], "f.toml", stages=())
    with pytest.raises(PersonaError, match="does nothing"):
        parse_rules([{"name": "x", "keywords": ["k"]}], "f.toml", stages=())
    with pytest.raises(PersonaError) as info:
        parse_rules([{"name": "x", "keywords": ["k"], "add": ["a:b"], "min_mentions": 0}], "f.toml", stages=())
    assert info.value.key == "rules.x.min_mentions"
