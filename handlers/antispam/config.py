"""[antispam]: limits on pushes (never on answers or welcomes)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_window
from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AntispamConfig:
    """0 / "" = the persona's own cadence."""

    enabled: bool = True  # global switch: false drops every push, with the reason recorded
    daily_cap: int = 0
    weekly_cap: int = 0
    quiet_hours: str = ""  # "22:00-08:00", or "off"

    def check(self, where: str) -> None:
        if self.daily_cap < 0 or self.weekly_cap < 0:
            raise ConfigError(f"{where}.daily_cap" if self.daily_cap < 0 else f"{where}.weekly_cap", "must be ≥ 0")
        if self.quiet_hours and self.quiet_hours != "off":
            check_window(f"{where}.quiet_hours", self.quiet_hours)
