"""[points]: member levels and what they bring, earning on orders, the rewards catalogue, expiry,
and the rights delivered (birthday greeting, monthly member gift reminder)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config.checks import check_clock
from bot.errors import ConfigError

KEY = re.compile(r"[a-z0-9_\-]{1,32}")
REVIEW = re.compile(r"(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class LevelSpec:
    name: str
    min: int  # points earned (the ledger net of redemptions and expiry) that reach this level
    rights: str = ""
    tags: tuple[str, ...] = ()  # local tags a customer gets on reaching the level ("会员:金柚")


@dataclass(frozen=True, slots=True)
class RewardSpec:
    key: str  # stable id (the stock follows it across renames)
    name: str  # what customers write after "兑换"
    cost: int  # points
    stock: int  # raise it to restock: the difference is added to what is left
    min_level: str = ""  # only customers of this level or higher may redeem it
    # A parcel (the default: every reward was shipped before this key existed): after "确认兑换" the customer is
    # asked for receiver, phone and address. false for what needs no address (a coupon code, points to cash).
    ships: bool = True


@dataclass(frozen=True, slots=True)
class PointsConfig:
    query_keyword: str = "我的积分"
    levels: tuple[LevelSpec, ...] = ()
    per_yuan: int = 0  # points per whole yuan of a paid order; 0 = orders earn nothing
    rewards: tuple[RewardSpec, ...] = ()
    redeem_keyword: str = "积分兑换"  # lists what the customer can afford; "兑换 <名称>" redeems
    confirm_minutes: int = 30  # an unconfirmed "兑换" lapses after this
    address_remind_hours: int = 24  # a customer who did not give the address is reminded once after this; 0 = never
    fulfil_by: tuple[str, ...] = ()  # who is told to ship a reward (app message); default: admins and operators
    expire_months: int = 0  # points lapse this many months after the month they were earned; 0 = never
    expire_notice_days: int = 7  # the push announcing a lapse goes this many days before it
    review: str = ""  # MM-DD: the yearly review that may lower levels (points earned in the 12 months before)
    advisor_from_level: str = ""  # reaching this level (or higher) assigns an exclusive advisor
    birthday_greeting: bool = False  # a push on the customer's birthday (once a year), asked once if unknown
    gift_levels: tuple[str, ...] = ()  # levels that get the monthly member gift reminder
    gift_day: int = 1  # day of the month of that reminder
    send_at: str = "10:00"  # local time of the day's birthday, gift and expiry pushes

    def check(self, where: str) -> None:
        mins = [level.min for level in self.levels]
        if mins != sorted(set(mins)):
            raise ConfigError(f"{where}.levels", "thresholds (min) must be distinct and ascending")
        names = {level.name for level in self.levels}
        if len(names) != len(self.levels) or any(not n.strip() or len(n) > 32 for n in names):
            raise ConfigError(f"{where}.levels", "names must be distinct, 1 to 32 characters")
        for i, level in enumerate(self.levels):
            for tag in level.tags:
                group, sep, name = tag.partition(":")
                if not sep or not group.strip() or not name.strip() or len(group) > 30 or len(name) > 30:
                    raise ConfigError(f"{where}.levels[{i}].tags", f'{tag!r} must look like "group:name" (≤30 each)')
        if self.per_yuan < 0 or self.per_yuan > 1000:
            raise ConfigError(f"{where}.per_yuan", "must be between 0 and 1000 points per yuan")
        keys: set[str] = set()
        reward_names: set[str] = set()
        for i, reward in enumerate(self.rewards):
            at = f"{where}.rewards[{i}]"
            if not KEY.fullmatch(reward.key) or reward.key in keys:
                raise ConfigError(f"{at}.key", "must be a distinct key of a-z, 0-9, _ or - (≤32)")
            if not reward.name.strip() or len(reward.name) > 64 or reward.name in reward_names:
                raise ConfigError(f"{at}.name", "must be a distinct name of 1 to 64 characters")
            if reward.cost < 1:
                raise ConfigError(f"{at}.cost", "must be at least 1 point")
            if reward.stock < 0:
                raise ConfigError(f"{at}.stock", "must be 0 or more")
            if reward.min_level and reward.min_level not in names:
                raise ConfigError(f"{at}.min_level", f"no level {reward.min_level!r} in {where}.levels")
            keys.add(reward.key)
            reward_names.add(reward.name)
        if not 1 <= self.confirm_minutes <= 24 * 60:
            raise ConfigError(f"{where}.confirm_minutes", "must be between 1 and 1440")
        if not 0 <= self.address_remind_hours <= 47:  # the kf chat closes 48 hours after their last message
            raise ConfigError(f"{where}.address_remind_hours", "must be 0 (never) or between 1 and 47 hours")
        if not 0 <= self.expire_months <= 120:
            raise ConfigError(f"{where}.expire_months", "must be 0 (never) or a number of months up to 120")
        if not 1 <= self.expire_notice_days <= 27:
            raise ConfigError(f"{where}.expire_notice_days", "must be between 1 and 27")
        if self.review:
            m = REVIEW.fullmatch(self.review)
            if m is None or not (1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 28):
                raise ConfigError(f"{where}.review", "must be MM-DD with a day from 01 to 28, e.g. 01-01")
        named = [("advisor_from_level", self.advisor_from_level), *(("gift_levels", g) for g in self.gift_levels)]
        for key, name in named:
            if name and name not in names:
                raise ConfigError(f"{where}.{key}", f"no level {name!r} in {where}.levels")
        if not 1 <= self.gift_day <= 28:
            raise ConfigError(f"{where}.gift_day", "must be between 1 and 28")
        check_clock(f"{where}.send_at", self.send_at)

    def level(self, name: str) -> LevelSpec | None:
        return next((level for level in self.levels if level.name == name), None)

    def rank(self, name: str) -> int:
        """The level's place (0 = none, 1 = the first level ...)."""
        for i, level in enumerate(self.levels):
            if level.name == name:
                return i + 1
        return 0
