"""[points]: member levels by points balance and the keyword customers ask with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class LevelSpec:
    name: str
    min: int
    rights: str = ""


@dataclass(frozen=True, slots=True)
class PointsConfig:
    query_keyword: str = "我的积分"
    levels: tuple[LevelSpec, ...] = ()

    def check(self, where: str) -> None:
        mins = [level.min for level in self.levels]
        if mins != sorted(set(mins)):
            raise ConfigError(f"{where}.levels", "thresholds (min) must be distinct and ascending")
