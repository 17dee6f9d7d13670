"""[checkin]: check-in camps (打卡) — keywords, daily window, reminders, make-up cards, milestones."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_clock, check_date, check_window
from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    day: int
    points: int = 0
    badge: str = ""
    coupon: str = ""


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    key: str
    name: str
    start: str
    days: int
    tag: str = ""
    group: str = ""
    window: str = ""  # empty = checkin.window
    remind_at: str = ""  # empty = checkin.remind_at
    makeup_limit: int = -1  # -1 = checkin.makeup_limit
    milestones: tuple[MilestoneSpec, ...] = ()

    def check(self, where: str) -> None:
        check_date(f"{where}.start", self.start)
        if self.days < 1:
            raise ConfigError(f"{where}.days", "must be at least 1")
        if self.window:
            check_window(f"{where}.window", self.window)
        if self.remind_at:
            check_clock(f"{where}.remind_at", self.remind_at)


@dataclass(frozen=True, slots=True)
class CheckinConfig:
    keyword: str = "打卡"
    makeup_keyword: str = "补卡"
    window: str = "06:00-23:00"
    remind_at: str = "20:00"
    makeup_limit: int = 2
    makeup_days: int = 2
    points_per_checkin: int = 1
    min_content_chars: int = 0
    photo_grace_min: int = 10
    campaigns: tuple[CampaignSpec, ...] = ()

    def check(self, where: str) -> None:
        check_window(f"{where}.window", self.window)
        check_clock(f"{where}.remind_at", self.remind_at)
        if not self.keyword or not self.makeup_keyword:
            raise ConfigError(f"{where}.keyword", "keywords must not be empty")
