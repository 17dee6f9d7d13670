"""[questions]: who hears about questions the persona could not answer, how often, and what the
persona tells a customer when nobody can keep a promise."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class QuestionsConfig:
    enabled: bool = True
    # at most one app message about open questions per member per this many minutes
    notify_every_minutes: int = 30
    # how a customer reaches a person besides this chat (a hotline, a store, hours); said in the
    # honest "I don't know yet" when nobody can answer soon. "" = only what Wanzi itself offers.
    contact: str = ""

    def check(self, where: str) -> None:
        if not 1 <= self.notify_every_minutes <= 24 * 60:
            raise ConfigError(f"{where}.notify_every_minutes", "must be between 1 and 1440")
        if len(self.contact.encode()) > 300:
            raise ConfigError(f"{where}.contact", "must be at most 300 bytes")
