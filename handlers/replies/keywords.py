"""What customers talked about: jieba TF-IDF keywords over one day's customer messages.

The database does the heavy part: it groups the day's messages by text and hands back the
most frequent distinct texts with their counts (one GROUP BY, bounded by `MAX_TEXTS`), so a
busy day of a million messages costs the same Python work as a quiet one. Each word scores
(messages containing it) × IDF, jieba's TF-IDF with the day's message counts as TF.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

MAX_TEXTS = 3000  # distinct texts handed to jieba; rarer ones barely move a top-10 list
_NOISE = re.compile(r"^[\d\W_]+$")
# A quantity is no topic: "两瓶", "3盒", "一套" (jieba keeps a number and its measure word together)
_QUANTITY = re.compile(r"^[\d一二两三四五六七八九十百几半]+(瓶|个|盒|支|件|套|份|次|天|块|罐|包|袋|条|片|只|张|单)$")
# Chat words with high counts and no topic; jieba's IDF alone lets them through on busy days.
STOP_WORDS = frozenset("""
你好 您好 请问 可以 什么 怎么 怎么样 一下 我们 你们 他们 这个 那个 这些 那些 谢谢 好的 没有 还有 就是 但是
因为 所以 如果 现在 知道 不是 还是 已经 一个 自己 时候 可能 需要 应该 这样 那样 为什么 多少 哪里 是不是
有没有 能不能 可不可以 麻烦 在吗 嗯嗯 哈哈 哈哈哈 收到 ok OK
东西 我要 我想 想要 不要 觉得 感觉 真的 一直 其实 然后 而且 或者 有点 比较 非常 特别
问下 问问 想问 请教 咨询 能用 大概 最近 老是 这种 那种 的话 有关 先拍 试试 一瓶 一个 哦哦 行吧
你们家 我们家 咱家 哈喽 嗨 适合 合适 扫码 加的 刚加 会不会 不会 会吗 行不行 好不好 要不要 买个 来个 要个
""".split())
# Shop words jieba's general dictionary splits ("敏感肌能用吗" → 敏感 / 肌能): added once to its segmenter,
# which only this module uses.
SHOP_WORDS = ("敏感肌", "痘痘肌", "油痘肌", "干敏肌", "干皮", "油皮", "混油皮", "混干皮", "混合皮", "闭口", "爆痘",
              "学生党", "上班族", "宝妈", "孕妈")
# Chat words jieba splits into a false topic ("你们家有…" → 你们 / 家有, "刚扫码加的" → 刚扫 / 码加): made whole,
# then dropped as stop words.
# "用会不会刺激" → 用会 / 不会: 会不会 made whole keeps 用会 out
CHAT_WORDS = ("你们家", "我们家", "咱家", "扫码", "加的", "刚加", "会不会", "行不行", "好不好", "要不要")


@dataclass(frozen=True, slots=True)
class _Tfidf:
    """What jieba.analyse.TFIDF holds, without importing jieba.analyse: that import loads jieba's
    part-of-speech tables (about 100 MB and 1.7 s on this VM) which TF-IDF never uses."""

    tokenizer: Any  # jieba.dt, the segmenter the knowledge base already loaded
    idf_freq: dict[str, float]
    median_idf: float
    stop_words: frozenset[str] = frozenset((
        "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on", "with",
        "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not", "one", "has", "or",
        "hi", "hello", "hey", "ok", "okay", "thanks", "thx", "do", "does", "did", "how", "what", "when", "where",
        "much", "many", "your", "my", "me", "is", "there", "any", "please", "pls", "i", "am", "so", "yes", "no"))


@functools.lru_cache(maxsize=1)
def _extractor() -> _Tfidf:
    """jieba's dictionary and IDF table (jieba's own idf.txt, read as jieba.analyse reads it), loaded
    once per process, read-only after."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    for word in (*SHOP_WORDS, *CHAT_WORDS):
        jieba.add_word(word)
    idf: dict[str, float] = {}
    for line in (Path(jieba.__file__).parent / "analyse" / "idf.txt").read_text(encoding="utf-8").splitlines():
        word, freq = line.strip().split(" ")
        idf[word] = float(freq)
    return _Tfidf(jieba.dt, idf, sorted(idf.values())[len(idf) // 2])


def top_keywords(texts: Iterable[tuple[str, int]], limit: int = 10) -> list[tuple[str, int]]:
    """(keyword, messages mentioning it) from (distinct text, count) pairs.

    TF-IDF picks which words make the list (a common word with many mentions does not crowd out a
    telling one); the list is then ordered by the number shown next to each word, so a reader sees
    the most mentioned first (ties: the better TF-IDF score first)."""
    tfidf = _extractor()
    scores: dict[str, float] = {}
    mentions: dict[str, int] = {}
    for text, count in texts:
        words = {w.strip() for w in tfidf.tokenizer.cut(text)}
        for word in words:
            if (len(word) < 2 or word in STOP_WORDS or word.lower() in tfidf.stop_words or _NOISE.match(word)
                    or _QUANTITY.match(word)):
                continue
            scores[word] = scores.get(word, 0.0) + count * tfidf.idf_freq.get(word, tfidf.median_idf)
            mentions[word] = mentions.get(word, 0) + count
    best = sorted(scores, key=lambda w: (-scores[w], w))[:limit]
    return [(w, mentions[w]) for w in sorted(best, key=lambda w: (-mentions[w], -scores[w], w))]
