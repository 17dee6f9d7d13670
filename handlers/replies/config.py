"""[faq]: the operator's knowledge base and how sure the persona must be to answer from it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError
from persona.faq import DEFAULT_CLARIFY_THRESHOLD, DEFAULT_THRESHOLD


@dataclass(frozen=True, slots=True)
class FaqConfig:
    path: str = ""  # operator's knowledge base (TOML [[faq]] or CSV question,answer)
    threshold: float = DEFAULT_THRESHOLD  # below this confidence the persona does not answer from the FAQ
    # from this confidence up to `threshold` a question gets the best 1-2 entries to choose from
    # (猜你想问) before it goes to the staff queue; 0 turns that off
    clarify_threshold: float = DEFAULT_CLARIFY_THRESHOLD
    clarify_minutes: int = 10  # how long the customer's choice ("1", "第二个", "都不是") is waited for
    # how often (at most) a replica asks the database whether the knowledge base changed, before an
    # answer and in the background; its own changes are seen at once
    refresh_s: float = 2.0
    # answers added at run time (console, /answer) must fit a kf text (2048 bytes) in the persona's words
    max_answer_bytes: int = 1500

    def check(self, where: str) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"{where}.threshold", "must be between 0 and 1")
        if not 0.0 <= self.clarify_threshold <= 1.0:  # at or above `threshold` nothing is offered
            raise ConfigError(f"{where}.clarify_threshold", "must be between 0 (off) and 1")
        if not 1 <= self.clarify_minutes <= 1440:
            raise ConfigError(f"{where}.clarify_minutes", "must be between 1 and 1440 minutes")
        if not 0.0 <= self.refresh_s <= 3600:
            raise ConfigError(f"{where}.refresh_s", "must be between 0 and 3600 seconds")
        if not 100 <= self.max_answer_bytes <= 1800:
            raise ConfigError(f"{where}.max_answer_bytes", "must be between 100 and 1800 (a kf text holds 2048 bytes)")
