"""[koc]: the KOC score's weights and period, the tags for top KOCs and repeat suggestion-givers, and
the words that mark a suggestion."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError

DEFAULT_SUGGESTION_WORDS = ("建议", "希望", "要是能", "能不能出", "如果有", "可不可以出", "最好能", "期待出")


def _check_tag(key: str, tag: str) -> None:
    group, sep, name = tag.partition(":")
    if tag and (not sep or not group.strip() or not name.strip() or len(group) > 30 or len(name) > 30):
        raise ConfigError(key, f'{tag!r} must look like "group:name" (≤30 each), or be empty')


@dataclass(frozen=True, slots=True)
class KocConfig:
    days: int = 90  # the score counts what happened in this many days
    invite_weight: float = 10.0  # per invited friend who stayed (referral)
    checkin_weight: float = 1.0  # per check-in
    order_weight: float = 5.0  # per paid order
    message_weight: float = 0.2  # per message the customer wrote (kf), at most `message_cap` counted
    message_cap: int = 100
    tag: str = "客户价值:KOC"  # `/koc tag N` gives the top N this tag (and an advisor if they have none)
    suggestion_words: tuple[str, ...] = DEFAULT_SUGGESTION_WORDS
    suggestion_tag: str = "客户价值:产品体验官候选"  # a customer's `suggestion_repeat`-th suggestion adds it
    suggestion_repeat: int = 2

    def check(self, where: str) -> None:
        if not 1 <= self.days <= 3650:
            raise ConfigError(f"{where}.days", "must be between 1 and 3650")
        for key in ("invite_weight", "checkin_weight", "order_weight", "message_weight"):
            if not 0 <= getattr(self, key) <= 1000:
                raise ConfigError(f"{where}.{key}", "must be between 0 and 1000")
        if self.message_cap < 0:
            raise ConfigError(f"{where}.message_cap", "must be 0 or more")
        _check_tag(f"{where}.tag", self.tag)
        _check_tag(f"{where}.suggestion_tag", self.suggestion_tag)
        if any(not w.strip() for w in self.suggestion_words):
            raise ConfigError(f"{where}.suggestion_words", "words must not be empty")
        if self.suggestion_repeat < 1:
            raise ConfigError(f"{where}.suggestion_repeat", "must be at least 1")
