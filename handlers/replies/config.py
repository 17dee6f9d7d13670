"""[faq]: the operator's knowledge base and how sure the persona must be to answer from it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError
from persona.faq import DEFAULT_THRESHOLD


@dataclass(frozen=True, slots=True)
class FaqConfig:
    path: str = ""  # operator's knowledge base (TOML [[faq]] or CSV question,answer)
    threshold: float = DEFAULT_THRESHOLD  # below this confidence the persona does not answer from the FAQ

    def check(self, where: str) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"{where}.threshold", "must be between 0 and 1")
