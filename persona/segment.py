"""Chinese word segmentation with jieba, loaded once and off the event loop.

Loading jieba's dictionary takes most of a second, so it must never happen inside a handler
on the event loop: `ready()` loads it in a worker thread the first time and every later call
returns at once. The app starts that load at start-up. By default the segmenter uses jieba's
own process-wide tokenizer, so several apps in one process (tests, the sandbox) load it once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import unicodedata
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import jieba

# Function words that carry no meaning for matching a question to an answer.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 哈 啦 么 我 你 您 他 她 它 我们 你们 他们 是 在 有 和 与 或 就 都 也 还 又 "
    "要 想 能 会 可以 可 请问 请 问 一下 一个 个 这 那 这个 那个 哪 什么 怎么 怎样 如何 吗 嗯 哎 喂 "
    "一般 大概 下 上 给 把 被 让 对 为 着 过 得 地 很 太 挺 好 多 少 请教 一 二 呗 后 时候 家 能 不能 还能 "
    "你家 你们家 想问 问下 麻烦".split())


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in token)


class Segmenter:
    """jieba behind a thread-safe, load-once gate; `tokenizer` may be a private jieba.Tokenizer."""

    def __init__(self, tokenizer: jieba.Tokenizer | None = None) -> None:
        self._given = tokenizer
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._tokenizer is not None

    def load(self) -> None:
        """Blocking load; call through `ready()` from async code."""
        with self._lock:
            if self._tokenizer is not None:
                return
            import jieba

            jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict..." chatter on stderr
            tokenizer = self._given or jieba.dt
            tokenizer.initialize()  # jieba's own lock makes a second initialize a no-op
            self._tokenizer = tokenizer

    async def ready(self) -> None:
        if self._tokenizer is None:
            await asyncio.to_thread(self.load)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach domain words ("干皮", "次抛") so they stay whole; needs `load()` first."""
        tokenizer = self._loaded()
        for word in words:
            if word and len(word) > 1:
                tokenizer.add_word(word.lower())

    def tokens(self, text: str) -> list[str]:
        """Lower-cased search tokens without punctuation or function words."""
        tokenizer = self._loaded()
        out = []
        for token in tokenizer.lcut(text.lower()):
            token = token.strip()
            if token and token not in STOPWORDS and _is_word(token):
                out.append(token)
        return out

    def _loaded(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            raise RuntimeError("Segmenter used before load(); await ready() first")
        return self._tokenizer
