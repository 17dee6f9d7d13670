"""Text helpers for follow-ups ("我还没拆呢" right after the returns answer): the previous question
and the follow-up asked together, whether an entry speaks of what the follow-up names ("那运费谁出":
postage), and the part of an answer a follow-up on the same entry needs.

Pure functions over texts; handlers/replies/followup.py reads the chat and decides.
"""

from __future__ import annotations

import re

from persona.faq import FaqEntry
from persona.keywords import WordSets
from persona.matcher import CONCEPTS, EXCLUSIVE, any_of, concepts, kinds

_SENTENCE = re.compile(r"(?<=[。；;！!？?])")
# Characters that say nothing about which part of an answer a follow-up is about.
FILLER = frozenset("的了吗呢吧啊呀哦嘛么那还要能可以是不有没我你们这个吗怎么什么多少 ，,。？?！!～~")


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


# A message that leans on the question before it: "那偏远地区呢", "还有别的颜色吗", "敏感肌呢", and one
# that points at what was just talked about: "这个多少钱", "这款孕妇能用吗", "它保质期多久" ("这边", "这里"
# name the shop, not a product, and stand on their own).
_LEANS = re.compile(r"^(那|那么|那如果|那要是|如果是|要是|还有|另外)|^[^，,。！!？?]{1,10}呢[？?]?$"
                    r"|^(这个|这款|这种|这瓶|这支|这罐|这盒|这套|这件|这些|这样的?话?|它们?)")


def leans_on(text: str) -> bool:
    """The message only makes sense with the previous question ("那偏远地区呢" after "包邮吗")."""
    return _LEANS.search(text.strip()) is not None


def sentences(answer: str) -> list[str]:
    """An answer's sentences, end punctuation kept."""
    return [s.strip() for s in _SENTENCE.split(answer) if s.strip()]


# What a thing is good for, asked: "积分能干啥用", "积分有什么用", "攒的积分能拿来干嘛", "积分能换啥" — what it buys or
# is used for, which a sentence telling what it can be exchanged for or used on answers (_GIVES_USE), not one
# telling how it is earned, however many characters they share.
_ASKS_USE = re.compile(r"(干啥|干嘛|干什么|做什么|做啥|有啥|有什么|什么)用|用来(干|做)|用(在|于)(哪|什么|啥)|"
                       r"(能|可以)(干|做)(啥|嘛|什么)|拿来(干|做|用)|(换|兑)(啥|什么|哪些|点啥)|能(换|兑换|抵)")
_GIVES_USE = re.compile(r"兑换|可以换|能换|换一|抵扣|抵现|抵钱|用于|用来|可以用")


def gist(answer: str, text: str) -> str:
    """The sentence of an answer a follow-up on the same entry is about (most characters in common
    with it; the first one on a tie), one that tells what a thing is used for first when that is what
    the follow-up asks (_ASKS_USE): the fact again, not the whole answer word for word. A
    one-sentence answer is all of it."""
    parts = sentences(answer)
    if len(parts) < 2:
        return answer
    asked = set(text) - FILLER
    use = _ASKS_USE.search(text) is not None
    best = max(range(len(parts)), key=lambda n: (use and _GIVES_USE.search(parts[n]) is not None,
                                                 _fit(asked, text, parts[n]), -n))
    return parts[best].rstrip("。；;")


_NOT = "未没不"


def _fit(asked: set[str], text: str, part: str) -> float:
    """Characters in common, a state the question does not share counting for nothing ("拆了也能退吗" is not
    about "未拆封…", "没拆的能退吗" is) and a done state it implies for a little more ("已拆封…")."""
    score = 0.0
    for ch in asked & set(part):
        if any(n + ch in part for n in _NOT) and not any(n + ch in text for n in _NOT):
            continue
        score += 1.5 if "已" + ch in part and not any(n + ch in text for n in _NOT) else 1.0
    return score


# Asking words: what a follow-up asks for, not what it is about. "几点" stays: it asks for a time,
# which the entry must give (persona/matcher.py CONCEPTS, hours).
_ASKING = re.compile(r"为什么|为啥|什么|怎么|怎样|如何|哪里|哪儿|多久|多少|多大|多长|多重|多高|多远|多宽|"
                     r"谁|啥|哪|几(?!点)")
# Shop concepts (and words for them) besides the matcher's (persona/matcher.py CONCEPTS), which
# stay as they are: its weights were fitted on them. Postage goes by many names: what a parcel or a
# delivery costs, whoever carries it ("配送费" is postage, not the delivery service the matcher's 配送 means).
TOPICS: dict[str, tuple[str, ...]] = {
    "postage": ("运费", "邮费", "包邮", "免邮", "运险", "快递费", "配送费", "送货费", "外送费", "跑腿费", "物流费",
                "寄费", "邮资", "运输费", "寄回费"),
    "keeping": ("有效",),
    "left_luggage": ("寄存", "存包", "储物"),  # "可以寄存吗" leaves things with us, it ships nothing
    # what no entry of a shop's base may speak of, so 猜你想问 offers none for it ("你们有祛痘的吗",
    # "一个月能看到效果吗", "…精华挺好用的 真的假的", "托运的话会不会压坏", "保湿霜和美白系列有啥区别啊")
    "acne": ("祛痘", "痘痘", "长痘", "痤疮", "粉刺", "闭口", "爆痘", "痘印", "闷痘", "冒痘", "起痘", "致痘"),
    "effect": ("效果", "见效", "管用", "好用", "好使"),
    "travel": ("托运", "飞机", "登机", "安检", "随身带"),
    "difference": ("区别", "差别", "差异", "不同之处"),
    # "电子礼品卡在小程序能用吗" is no coupon, "送不送小样" no recommendation, "一直显示缺货" no shelf life
    "gift_card": ("礼品卡", "购物卡", "储值卡", "礼卡", "充值卡", "提货卡"),
    "samples": ("小样", "赠品", "试用装", "中样", "试用品"),
    "stock": ("缺货", "补货", "断货", "没货", "无货", "库存"),
    "pilling": ("搓泥", "起泥", "搓出泥", "出泥"),  # "会搓泥吗" is no dry-skin recommendation
    # "送女朋友的礼物 有礼盒包装吗" is no question of genuineness (its 外盒 is not a gift box)
    "gift_wrap": ("礼盒", "礼品盒", "礼品袋", "礼袋", "贺卡", "礼物包装", "礼品包装", "包装成礼物", "包成礼物",
                  "包装一下", "包装得", "包得好看", "包漂亮"),
}
_TOPIC_WORDS = re.compile("|".join(sorted((w for ws in TOPICS.values() for w in ws), key=len, reverse=True)))
_TOPIC_SETS = WordSets(TOPICS)
_NO_TOPIC = re.compile(r"放心|安心")  # "能放心买吗" trusts us: its 能放 keeps nothing
_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2} ?点")  # "10:00-22:00", "10 点出炉": a time, named or not


def topics(text: str) -> frozenset[str]:
    """The shop concepts a text names (a clock time names the hours). A word of TOPICS is that
    concept only: "快递费" and "配送费" name the postage, not shipping or delivery besides; "放心" names
    none (_NO_TOPIC)."""
    more = _TOPIC_SETS.named(text)
    rest = _TOPIC_WORDS.sub(" ", _NO_TOPIC.sub(" ", text))
    return concepts(rest) | more | ({"hours"} if _CLOCK.search(text) else set())


def subject(text: str) -> str:
    """What a follow-up is about: the text without its asking words ("那运费谁出" → "那运费 出")."""
    return _ASKING.sub(" ", text)


def named(text: str) -> bool:
    """The follow-up names a shop concept besides its asking words ("包邮吗", not "多少钱")."""
    return bool(topics(subject(text)))


# Whom or what state a question is for ("宝宝什么时候可以吃米糊", "减脂期能吃的欧包有吗"): in a baby or pet
# shop the context of nearly every question, which its entries need not repeat; not what is asked about.
FOR_WHOM = frozenset({"children", "pets", "pregnancy", "weight"})


def _clearly(concept: str, text: str) -> bool:
    """The text names the concept in a word of two characters or more: one character alone is too often
    part of another word ("请教" and "教师" hold 教, which names classes; "学生党" 学)."""
    words = _CLEARLY.get(concept)
    return words is not None and words.search(text) is not None


# each concept's words of two characters or more, the matcher's and these (`_clearly`), one pattern each
_CLEARLY = {name: any_of([w for w in CONCEPTS.get(name, ()) + TOPICS.get(name, ()) if len(w) > 1])
            for name in {*CONCEPTS, *TOPICS}}


def clearly_named(text: str) -> frozenset[str]:
    """The shop concepts a question is about, each named in a word of two characters or more (or a
    clock time: the hours), asking words left out (`subject`)."""
    about = subject(text)
    return frozenset(c for c in topics(about) if c == "hours" or _clearly(c, about))


# Words of a shop concept an answer also uses in passing for something else: "官方渠道发出的都是正品" is
# issued by, not shipped ("快递走的哪家" after it asks about shipping, which that answer does not speak of).
_IN_PASSING = re.compile(r"发出")


# Something given free, told by an answer ("储值 200 送 20", "会员生日月送一个 4 寸蛋糕", "买一送一"): a perk, which is
# what "有啥福利" and "有优惠吗" ask about (the discount concept), though no word of it is said.
_PERK = re.compile(r"送\s*[\d一二两三四五六七八九十半]|赠送|赠品|买一送一|半价")


def spoken(entry: FaqEntry) -> frozenset[str]:
    """The shop concepts an entry speaks of, in its phrasings, keywords or answer (not in a word the
    answer uses in passing, _IN_PASSING); an answer giving something free speaks of perks (_PERK)."""
    said = topics(" ".join(entry.questions + entry.keywords + (_IN_PASSING.sub(" ", entry.answer),)))
    return said | {"discount"} if _PERK.search(entry.answer) else said


# Kinds of product a beauty shop sells: "你们家的面膜可以天天敷吗" right after the cream's answer is not about the
# cream, which speaks of none of them. Only for what a follow-up is about (`covers`), not a shop concept:
# "面膜含水杨酸吗" is still answered by "全线不含…水杨酸" (persona/facts.py).
PRODUCT_KINDS = any_of(("面膜", "洗面奶", "洁面", "卸妆", "防晒", "眼霜", "口红", "粉底", "眼影", "气垫", "散粉",
                        "腮红"))


def covers(entry: FaqEntry, text: str) -> bool:
    """The entry speaks of every shop concept the follow-up is about ("那运费谁出": postage, which
    the returns answer may not mention), in its phrasings, keywords or answer, in any of the
    concept's words ("多久过期" and "有效期 14 天"; in its answer, not in a word used in passing there,
    _IN_PASSING). Asking words name none, but for 几点: a time the entry must give ("10:00-22:00"). A kind of
    product the follow-up names (PRODUCT_KINDS) the entry must name too."""
    if not topics(subject(text)) <= spoken(entry):
        return False
    asked = product_kinds(text)
    return not asked or bool(asked & product_kinds(_all_of(entry)))


def _all_of(entry: FaqEntry) -> str:
    return " ".join((*entry.questions, *entry.keywords, entry.answer))


def product_kinds(text: str) -> set[str]:
    """The kinds of product a text names (PRODUCT_KINDS)."""
    return set(PRODUCT_KINDS.findall(text))


def other_product(entry: FaqEntry, text: str) -> bool:
    """The question names a kind of product and the entry names only others ("面膜可以天天敷吗" and an entry about
    卸妆油): no plausible reading of it. An entry naming no product at all ("孕妇可以用吗") may still be one."""
    asked, told = product_kinds(text), product_kinds(_all_of(entry))
    return bool(asked) and bool(told) and not asked & told
