"""[digest]: who gets the managers' daily digest, and when (local time in persona.timezone)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_clock
from persona import times


@dataclass(frozen=True, slots=True)
class DigestConfig:
    send_at: str = "09:00"  # HH:MM; the digest of the previous day goes out then
    managers: tuple[str, ...] = ()  # WeCom userids who get it as an app message
    webhook: bool = False  # also post it to the group robot wecom.webhook_key

    def check(self, where: str) -> None:
        check_clock(f"{where}.send_at", self.send_at)

    @property
    def send_hour_minute(self) -> tuple[int, int]:
        return divmod(times.minutes(self.send_at), 60)
