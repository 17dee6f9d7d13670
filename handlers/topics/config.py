"""[community]: interest groups, their topic calendars and topics."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_cron, check_window, check_zone
from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class InterestGroupSpec:
    key: str
    name: str
    tag: str = ""
    chats: tuple[str, ...] = ()
    chat_name_contains: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    group: str
    cron: str

    def check(self, where: str) -> None:
        check_cron(f"{where}.cron", self.cron)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    group: str
    text: str
    link: str = ""
    link_title: str = ""
    image: str = ""
    product: bool = False


@dataclass(frozen=True, slots=True)
class CommunityConfig:
    timezone: str = ""
    quiet_hours: str = "22:00-08:00"
    product_every: int = 5
    topic_misfire_grace_s: int = 3600
    schedule_refresh_s: float = 30.0
    result_check_hours: int = 72
    groups: tuple[InterestGroupSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()

    def check(self, where: str) -> None:
        if self.timezone:
            check_zone(f"{where}.timezone", self.timezone)
        if self.quiet_hours:
            check_window(f"{where}.quiet_hours", self.quiet_hours)
        if self.product_every < 1:
            raise ConfigError(f"{where}.product_every", "must be at least 1")
        keys = {g.key for g in self.groups}
        named = [("schedules", [s.group for s in self.schedules]), ("topics", [t.group for t in self.topics])]
        for kind, groups in named:
            for i, group in enumerate(groups):
                if group not in keys:
                    raise ConfigError(f"{where}.{kind}[{i}].group", f"no interest group {group!r} in community.groups")
