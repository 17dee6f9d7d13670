"""Ids in WeCom's shapes (wm…, wr…, et…, wk…), from one seedable generator per emulator."""

from __future__ import annotations

import random
import string

_ALNUM = string.ascii_letters + string.digits


class IdMaker:
    """Random-looking but reproducible ids: pass a seed and a test run is replayable."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        self._issued: set[str] = set()
        self._msg_id = 7_300_000_000_000_000_000 + self.rng.randrange(10**15)

    def make(self, prefix: str, length: int = 32, alphabet: str = _ALNUM) -> str:
        """A fresh id of `length` characters including the prefix, never issued before."""
        while True:
            value = prefix + "".join(self.rng.choice(alphabet) for _ in range(max(length - len(prefix), 4)))
            if value not in self._issued:
                self._issued.add(value)
                return value

    def digits(self, length: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(length))

    def app_msg_id(self) -> int:
        """MsgId of an app message: an int64 that only grows (callbacks.md §6)."""
        self._msg_id += self.rng.randrange(1, 1000)
        return self._msg_id

    def hint(self, now: float) -> str:
        """The `hint: [...]` token of an errmsg: unix seconds followed by random digits (observed)."""
        return f"{int(now)}{self.digits(15)}"
