"""[referral]: invite-a-friend campaigns with reward tiers (老带新)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_date
from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class TierSpec:
    invites: int
    gift: str
    points: int = 0


@dataclass(frozen=True, slots=True)
class ReferralSpec:
    key: str
    name: str
    staff: str
    tiers: tuple[TierSpec, ...]
    start: str = ""
    end: str = ""

    def check(self, where: str) -> None:
        for name in ("start", "end"):
            if getattr(self, name):
                check_date(f"{where}.{name}", getattr(self, name))
        invites = [t.invites for t in self.tiers]
        if not invites or invites != sorted(set(invites)) or invites[0] < 1:
            raise ConfigError(f"{where}.tiers", "needs tiers with distinct, ascending invite counts ≥ 1")


@dataclass(frozen=True, slots=True)
class ReferralConfig:
    join_keyword: str = "邀请有礼"
    progress_keyword: str = "我的邀请"
    leave_grace_hours: int = 72
    campaigns: tuple[ReferralSpec, ...] = ()
