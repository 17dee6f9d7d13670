"""[commands]: how long a staff member's pending confirmation or numbered choice stays valid."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class CommandsConfig:
    confirm_minutes: int = 10
    choice_minutes: int = 5

    def check(self, where: str) -> None:
        for key in ("confirm_minutes", "choice_minutes"):
            if getattr(self, key) < 1:
                raise ConfigError(f"{where}.{key}", "must be at least 1")
