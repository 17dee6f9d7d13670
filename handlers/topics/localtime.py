"""Local time for community features: campaign days, daily windows and quiet hours.

Campaign days are calendar dates in the community time zone (default Asia/Shanghai, from
[community] timezone or [persona] timezone); everything stored stays UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.config.checks import check_window
from handlers.topics.config import CommunityConfig


def zone(config: Config) -> ZoneInfo:
    return ZoneInfo(config.of(CommunityConfig).timezone or config.persona.timezone)


def local(config: Config, instant: datetime) -> datetime:
    return instant.astimezone(zone(config))


def local_day(config: Config, instant: datetime) -> date:
    return local(config, instant).date()


def minute_of_day(config: Config, instant: datetime) -> int:
    t = local(config, instant)
    return t.hour * 60 + t.minute


def in_window(minute: int, window: tuple[int, int]) -> bool:
    """Is a minute of the day inside [start, end)? A window whose end is before its start spans midnight."""
    start, end = window
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end


def window_of(text: str) -> tuple[int, int]:
    return check_window("window", text)


def quiet(config: Config, instant: datetime) -> bool:
    """Inside the configured quiet hours (no pushes are scheduled then)."""
    spec = config.of(CommunityConfig).quiet_hours
    return bool(spec) and in_window(minute_of_day(config, instant), check_window("community.quiet_hours", spec))
