"""Matching a customer's question to knowledge-base entries on meaning (blocking; run in a thread).

Each entry is described by four figures (`Matcher.features`), from multilingual-e5-small
(persona/embed.py) and a short list of shop concepts:
- the question against each phrasing of the entry (both embedded as queries), best phrasing;
- the question against the whole entry as one passage ("phrasings … answer");
- the question against each "phrasing + answer" passage, best phrasing;
- the share of the shop concepts the question names that the entry's phrasings name too, in
  other words (CONCEPTS: "寄出" and "发货" both mean shipping).
An entry's score is a weighted sum of them; the highest score ranks first.

The confidence is a probability from the same scores: a softmax over the CANDIDATES best entries
and one more option, "none of them", whose score grows with how close the question is to small
talk and everyday off-topic lines (REFERENCE). So an entry is sure only when it stands clearly
above the others AND above "none"; raw cosines of this model crowd between 0.8 and 0.95 whatever
the text, so only such relative figures tell a paraphrase from chatter. The weights are fitted
on the development split of tests/knowledge_eval (never on its final split) by
`python -m bench.knowledge_fit`, which also checks them leaving one shop out.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from persona.embed import Embedder, Vectors
from persona.faq import FaqEntry, FaqMatch
from persona.keywords import WordSets, any_of
from persona.wording import plain

# Colloquial ways customers name the same shop concept (the fourth figure of an entry).
# Generic shop vocabulary, not any one knowledge base's words.
CONCEPTS: dict[str, tuple[str, ...]] = {name: tuple(words.split()) for name, words in {
    "shipping": "发货 寄出 发走 出库 发出 寄 快递 几天到 收到 到货 顺丰 物流 几天能送 多久能送 几天送到 多久送到 "
                "多久能到手 几天能到手 多久到手 几天到手 什么时候能发 啥时候能发 多久能发 几天能发 哪天能发 啥时候发 "
                "几时发",
    "hours": "营业 开门 关门 几点开 几点关 开着 营业时间 打烊 几点",
    "returns": "退货 退换 能退 退掉 退款 退钱 换货 无理由 售后 取消",
    "price": "多少钱 价格 什么价 贵不贵 价位 收费 费用 价目",
    "discount": "优惠 折扣 打折 便宜 满减 券 活动 促销 特价 福利",
    "membership": "会员 积分 储值 充值 办卡 入会 攒分",
    "invoice": "发票 开票 报销 专票 抬头",
    "place": "地址 在哪 位置 门店 实体店 线下 怎么去 哪条路",
    "parking": "停车 车位 停哪 开车 自驾",
    "keeping": "保质期 保存 放多久 能放 过期 变质 坏 有效期 开封 临期 还能用 开了 打开 生产日期 月生产 年生产 号生产",
    "authentic": "正品 真假 假货 验真 防伪 高仿 授权 真伪 官方",
    "delivery": "配送 送货 外卖 外送 送到 上门 自提",
    "booking": "预约 预订 订 包场 约课",
    "trial": "试用 小样 试吃 体验装 试试 小包装 样品 体验",
    "ingredients": "成分 配料 添加 防腐剂 酒精 香精 过敏原",
    "pregnancy": "孕妇 怀孕 孕期 哺乳 喂奶 备孕 产后 怀二胎 怀了二胎 怀上 孕妈 准妈妈 孕早期 孕中期 孕晚期",
    "children": "孩子 小孩 儿童 宝宝 未成年 儿子 女儿 娃",
    "sweetness": "甜 糖 无糖 少糖 代糖 控糖 血糖",
    "classes": "课 课程 培训 学 教",
    "jobs": "招聘 兼职 打工 简历 招人 岗位",
    "pets": "宠物 狗 猫 狗狗 猫咪",
    "weight": "减肥 瘦 减脂 胖 超重 体重",
}.items()}

# Kinds that exclude each other: a question about oily skin is not answered by the dry-skin entry,
# however close their sentence vectors are (the model puts 油皮 and 干皮 side by side). An entry
# whose phrasings name one kind of a group while the question names only another is out of the
# running (MISMATCH). Generic shop vocabulary again.
EXCLUSIVE: tuple[tuple[tuple[str, ...], ...], ...] = tuple(
    tuple(tuple(kind.split()) for kind in group.split("|")) for group in (
        "干皮 干性 皮肤干 干燥肌 | 油皮 油性 皮肤油 出油 大油田 油痘肌 | 混合皮 混油 混干 混合性 "
        "| 敏感肌 敏感皮 皮肤敏感",
        "夏天 夏季 | 冬天 冬季 秋冬",
        "男士 男性 男生 男人 男款 男女 | 孕妇 怀孕 孕期 孕妈 哺乳",
        "冰的 冰饮 冷萃 加冰 | 热的 热饮 热咖啡",
    ))
MISMATCH = 1000.0
_CONCEPT_SETS = WordSets(CONCEPTS)
_KIND_WORDS = tuple((g, k, any_of(words)) for g, group in enumerate(EXCLUSIVE) for k, words in enumerate(group))


# "皮肤有点敏感", "脸比较干", "脸好干", "两颊会干": a degree word between the skin and its kind still names
# the kind.
_DEGREE = re.compile(r"(皮肤|肤质|脸颊|两颊|脸蛋|脸上|脸)(?:有点儿?|有些|比较|很|好|特别|超级?|挺|非常|太|偏|容易|会)")
# "混油皮", "混干皮" name combination skin, not the oily or dry skin inside the word.
_MIXED = re.compile(r"混(?:油|干)(?:皮|性)?")


def kinds(text: str) -> frozenset[tuple[int, int]]:
    """(group, kind) pairs the text names."""
    text = _MIXED.sub("混合皮", _DEGREE.sub("皮肤", text))
    return frozenset((g, k) for g, k, words in _KIND_WORDS if words.search(text))


def kind_names(pairs: frozenset[tuple[int, int]]) -> list[str]:
    """The kinds as a shop names them, each by its first word ("敏感肌"), in EXCLUSIVE's order."""
    return [EXCLUSIVE[g][k][0] for g, k in sorted(pairs)]


def mismatched(asked: frozenset[tuple[int, int]], entry: frozenset[tuple[int, int]]) -> bool:
    """The entry names kinds of a group the question names, and none of them is the question's."""
    for group in {g for g, _ in asked}:
        theirs = {k for g, k in entry if g == group}
        if theirs and not theirs & {k for g, k in asked if g == group}:
            return True
    return False


_SKIN_TALK = re.compile(r"肤|干皮|油皮|混合皮|混油|敏感肌|痘痘肌|[干油中]性皮")


def speaks_of_skin(entries: Sequence[FaqEntry]) -> bool:
    """The knowledge base is a skincare shop's: some entry speaks of skin (肤质, 干皮, 敏感肌 …). Only then is a pick
    asked back with the skin type (every reply.shopping* and reply.skin_check asks it) and a skincare tagging rule
    applied ("过敏" → 肤质:敏感肌: persona/rules.py `skin`); a bakery's or a gym's base never is, and there a pick no
    entry answers is a question for staff, "孩子对花生过敏" no skin type. An empty knowledge base (an operator's
    own persona file before any FAQ) tells of no other trade: the presets' skincare stands, tags included."""
    return not entries or any(_SKIN_TALK.search(text) or any(group == 0 for group, _ in kinds(text))
                              for e in entries for text in (*e.questions, e.answer))


# What a question for a shop is not: greetings, thanks, feelings and everyday off-topic requests.
REFERENCE = tuple("今天天气真好|你吃饭了吗|给我讲个故事|帮我查一下火车票|股票行情怎么样|推荐一首歌|你叫什么名字|"
                  "你好呀|谢谢|哈哈|晚上好|好的|我心情不好|你是谁|数学题怎么做|电脑坏了怎么办|附近的医院在哪|"
                  "去机场怎么走|旅游景点推荐|写一篇作文|足球比赛结果|今天星期几|怎么做菜|新闻|好无聊|在干嘛".split("|"))

# An entry's score = WEIGHTS · features; "none of them" scores NONE_WEIGHT · chatter + NONE_BIAS.
# Fitted by `python -m bench.knowledge_fit` on the dev split (conditional logit, L2 0.1).
WEIGHTS = (35.395, 36.329, 37.159, 1.803)
NONE_WEIGHT = 59.032
NONE_BIAS = 44.988
CANDIDATES = 5  # entries in the softmax: a large base's unrelated entries do not dilute a clear answer


# Names that hold a concept's word but mean something else: 天猫 is a marketplace, not a cat ("那我在天猫
# 旗舰店买的也算吗" right after the authenticity answer is about authenticity, not pets).
_NOT_CONCEPTS = re.compile(r"天猫")


# Words of the keeping concept that name a state of the product, not how long it keeps: beside a word of
# returns they are a condition of the return ("用过之后不合适 能退吗 已经开封了" asks about returns), while
# "开封了还能用多久 能退吗" (还能用 is how long it keeps) names keeping too, and "开封后能放多久" only keeping.
_STATES = ("开封", "开了", "打开")
# A return asked in words the returns concept leaves out (its weights were fitted without them; as a concept
# word 可以退 made "那我这种油皮应该用哪款" after "…不适合我 可以退吗" a follow-up on returns).
_RETURN_ASKED = re.compile(r"可以退")
_KEEPING_ITSELF = any_of([w for w in CONCEPTS["keeping"] if w not in _STATES])


def concepts(text: str) -> frozenset[str]:
    text = _NOT_CONCEPTS.sub(" ", text)
    return frozenset(_CONCEPT_SETS.named(text))


def asked_about(question: str) -> frozenset[str]:
    """The concepts a customer's question is about: those it names, less keeping when it names keeping
    only as the state of a product it asks to return (_STATES). Only of the question: an entry or an
    answer that says "已开封的…" about returns still speaks of opened goods (persona/followup.py `covers`)."""
    named = concepts(question)
    if ("keeping" in named and ("returns" in named or _RETURN_ASKED.search(question))
            and not _KEEPING_ITSELF.search(question)):
        return named - {"keeping"}
    return named


def entry_about(entries: Sequence[FaqEntry], ranked: Sequence[FaqMatch], concept: str) -> FaqEntry | None:
    """The knowledge base's entry about a shop concept (its phrasings or keywords name it) that ranks
    highest for the message, if any: the discount entry for "太贵了吧", the authenticity one for "你们是不是骗子"."""
    about = {e.id for e in entries if concept in concepts(" ".join(e.questions + e.keywords))}
    return next((m.entry for m in ranked if m.entry.id in about), None)


class Matcher:
    """The vectors of one knowledge base; `rank` is blocking (one embedding of the question)."""

    def __init__(self, entries: Sequence[FaqEntry], embedder: Embedder) -> None:
        self.entries = tuple(entries)
        self.embedder = embedder
        phrasings = [(n, q) for n, e in enumerate(self.entries) for q in e.questions]
        self._owner = np.array([n for n, _ in phrasings], dtype=np.int64)
        self._phrasings: Vectors = embedder.query([q for _, q in phrasings])
        self._phrasing_passages: Vectors = embedder.passage([f"{q} {self.entries[n].answer}" for n, q in phrasings])
        self._entry_passages: Vectors = embedder.passage([" ".join(e.questions) + " " + e.answer
                                                          for e in self.entries])
        self._reference: Vectors = embedder.query(list(REFERENCE))
        self._concepts = [concepts(" ".join(e.questions + e.keywords)) for e in self.entries]
        self._kinds = [kinds(" ".join(e.questions + e.keywords)) for e in self.entries]

    def _best_per_entry(self, cosines: Vectors) -> Vectors:
        best = np.full(len(self.entries), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner, cosines)
        return best

    def features(self, question: str) -> tuple[Vectors, float]:
        """Blocking: each entry's four figures (one row per entry) and the question's chatter."""
        return self._features(question, self.embedder.query([question])[0])

    def _features(self, question: str, vector: Vectors) -> tuple[Vectors, float]:
        asked = asked_about(question)
        shared = np.array([len(asked & c) / len(asked) if asked else 0.0 for c in self._concepts], dtype=np.float32)
        rows = np.stack([self._best_per_entry(self._phrasings @ vector), self._entry_passages @ vector,
                         self._best_per_entry(self._phrasing_passages @ vector), shared], axis=1)
        return rows, float((self._reference @ vector).max())

    def chatter(self, question: str) -> float:
        """Blocking: how close the question is to small talk and everyday off-topic lines (REFERENCE)."""
        return float((self._reference @ self.embedder.query([plain(question)])[0]).max())

    def rank(self, question: str, limit: int = 3) -> list[FaqMatch]:
        """Blocking: the best entries, each with its probability against the others and "none"."""
        return self.rank_many([question], limit)[0]

    def rank_many(self, questions: Sequence[str], limit: int = 3) -> list[list[FaqMatch]]:
        """Blocking: `rank` of each question, their vectors embedded in one call (the model's batch
        gives each text the same vector as alone; each question is then scored on its own row, so
        every figure is the one `rank` gives it)."""
        asked = [plain(q) for q in questions]  # links dropped, Cantonese read as Mandarin (wording.py)
        if not self.entries:
            return [[] for _ in asked]
        texts = [q for q in dict.fromkeys(asked) if q]
        vectors = dict(zip(texts, self.embedder.query(texts), strict=True)) if texts else {}
        return [self._rank(q, vectors[q], limit) if q else [] for q in asked]

    def _rank(self, question: str, vector: Vectors, limit: int) -> list[FaqMatch]:
        rows, chatter = self._features(question, vector)
        scores = rows.astype(np.float64) @ np.array(WEIGHTS)
        asked = kinds(question)
        if asked:  # "我是油皮" is never answered by the dry-skin entry
            scores -= np.array([MISMATCH if mismatched(asked, k) else 0.0 for k in self._kinds])
        order = np.argsort(-scores, kind="stable")
        options = np.append(scores[order[:CANDIDATES]], NONE_WEIGHT * chatter + NONE_BIAS)
        peak = options.max()
        total = float(np.exp(options - peak).sum())
        return [FaqMatch(self.entries[n], round(float(np.exp(scores[n] - peak)) / total, 4)) for n in order[:limit]]
