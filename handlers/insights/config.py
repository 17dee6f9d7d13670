"""[koc] and [suggestions]: how KOCs are scored and cared for, and when a suggestion-giver is tagged."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError
from persona.rules import TagRef


def _tag(where: str, value: str) -> TagRef:
    group, sep, name = value.partition(":")
    if not sep or not group.strip() or not name.strip() or len(group) > 64 or len(name) > 64:
        raise ConfigError(where, f'must be "组:标签" (each at most 64 characters), got {value!r}')
    return TagRef(group.strip(), name.strip())


@dataclass(frozen=True, slots=True)
class KocConfig:
    window_days: int = 90  # invitations, check-ins, purchases and messages of the last N days count
    top: int = 10  # /koc without a number
    weight_invites: float = 5.0  # per friend they brought who stayed (referral)
    weight_streak: float = 1.0  # per day of their longest check-in streak
    weight_purchases: float = 3.0  # per paid order
    weight_messages: float = 0.2  # per message they wrote (the kf chat: WeCom gives apps no group chat text) ...
    messages_cap: int = 100  # ... counting at most this many, so chatter alone cannot make a KOC
    weight_groups: float = 1.0  # per customer group they are in now
    tag: str = "客户洞察:KOC"  # "group:name", given by /koc tag (mirrored to WeCom like every tag)
    min_score: float = 10.0  # /koc tag tags only customers at or above this score
    advisor: str = ""  # a staff userid: /koc tag makes them the advisor of tagged KOCs who have none

    def check(self, where: str) -> None:
        if not 1 <= self.window_days <= 3650:
            raise ConfigError(f"{where}.window_days", "must be between 1 and 3650")
        if not 1 <= self.top <= 50:
            raise ConfigError(f"{where}.top", "must be between 1 and 50")
        for name in ("weight_invites", "weight_streak", "weight_purchases", "weight_messages", "weight_groups",
                     "min_score"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{where}.{name}", "must not be negative")
        if self.messages_cap < 0:
            raise ConfigError(f"{where}.messages_cap", "must not be negative")
        _tag(f"{where}.tag", self.tag)

    @property
    def tag_ref(self) -> TagRef:
        return _tag("koc.tag", self.tag)


@dataclass(frozen=True, slots=True)
class SuggestionsConfig:
    enabled: bool = True  # record customers' suggestions from the kf chat
    model: bool = True  # also ask the knowledge model (sentence vectors) about texts the rules leave open
    repeat: int = 2  # a customer's suggestions before they get the tag below
    tag: str = "客户洞察:产品体验官候选"  # "group:name"; "" = record only

    def check(self, where: str) -> None:
        if not 1 <= self.repeat <= 100:
            raise ConfigError(f"{where}.repeat", "must be between 1 and 100")
        if self.tag:
            _tag(f"{where}.tag", self.tag)

    @property
    def tag_ref(self) -> TagRef | None:
        return _tag("suggestions.tag", self.tag) if self.tag else None
