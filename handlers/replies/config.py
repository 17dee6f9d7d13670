"""[faq]: the operator's knowledge base and how sure the persona must be to answer from it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError
from persona.faq import DEFAULT_THRESHOLD


@dataclass(frozen=True, slots=True)
class FaqConfig:
    path: str = ""  # operator's knowledge base (TOML [[faq]] or CSV question,answer)
    threshold: float = DEFAULT_THRESHOLD  # below this confidence the persona does not answer from the FAQ
    # how often (at most) a replica asks the database whether the knowledge base changed, before an
    # answer and in the background; its own changes are seen at once
    refresh_s: float = 2.0
    # answers added at run time (console, /answer) must fit a kf text (2048 bytes) in the persona's words
    max_answer_bytes: int = 1500

    def check(self, where: str) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"{where}.threshold", "must be between 0 and 1")
        if not 0.0 <= self.refresh_s <= 3600:
            raise ConfigError(f"{where}.refresh_s", "must be between 0 and 3600 seconds")
        if not 100 <= self.max_answer_bytes <= 1800:
            raise ConfigError(f"{where}.max_answer_bytes", "must be between 100 and 1800 (a kf text holds 2048 bytes)")
