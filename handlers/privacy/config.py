"""[retention]: how long raw callbacks, messages and customers who left stay in the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_clock
from bot.errors import ConfigError
from persona import times

# The 30-day retention rate of the digest reads the friend-added callbacks of 30 days before the
# reported day (handlers/customers/digest.py): their payload must outlive that cohort.
MIN_PAYLOAD_DAYS = 32


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    payload_days: int = 45  # raw callbacks and kf entries: cleared when processed and older; 0 = keep
    message_days: int = 365  # message history rows older than this are deleted; 0 = keep
    lost_friend_days: int = 180  # customers who left (status lost) and were not heard from since: erased
    address_days: int = 90  # a shipped (or cancelled) reward's receiver, phone and address: cleared after
    run_at: str = "03:30"  # local time (persona.timezone) of the daily run

    def check(self, where: str) -> None:
        for key in ("payload_days", "message_days", "lost_friend_days", "address_days"):
            if getattr(self, key) < 0:
                raise ConfigError(f"{where}.{key}", "must be 0 (keep forever) or a number of days")
        if 0 < self.payload_days < MIN_PAYLOAD_DAYS:
            raise ConfigError(f"{where}.payload_days", f"must be 0 or at least {MIN_PAYLOAD_DAYS}: the digest's "
                                                       "30-day retention rate reads the friend-added callbacks")
        check_clock(f"{where}.run_at", self.run_at)

    @property
    def enabled(self) -> bool:
        return bool(self.payload_days or self.message_days or self.lost_friend_days or self.address_days)

    @property
    def run_hour_minute(self) -> tuple[int, int]:
        return divmod(times.minutes(self.run_at), 60)
