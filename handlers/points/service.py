"""Points and member levels: an append-only ledger, levels and rights from [points] levels.

A balance is the sum of the ledger. Automatic awards carry a `ref` (e.g. "checkin:17") so a
retried event never pays twice; staff adjustments are written with an audit record.

Levels follow the points *earned*: the ledger without redemptions and expiry (spending points never
costs a level), over the 12 months before now when a yearly `review` is configured, else ever. The
level is written to `customer.level` on every ledger change: up when the earned points reach a
higher level; down only when points are taken back (a refund, a staff correction) or at the yearly
review (handlers/points/levels.py), never because a customer redeemed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.config import Config
from bot.errors import CommandError
from handlers.escalation.routing import display_name
from handlers.points.config import LevelSpec, PointsConfig
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from storage.models import Customer, PointsEntry
from storage.repos import PointsRepo

SPENDING = ("redeem", "expire")  # ledger sources that do not count towards a level
REVIEW_SPAN = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Standing:
    balance: int  # what the customer may spend
    level: LevelSpec | None
    next_level: LevelSpec | None
    earned: int = 0  # the points levels are measured by

    @property
    def to_next(self) -> int:
        return self.next_level.min - self.earned if self.next_level else 0


@dataclass(frozen=True, slots=True)
class Award:
    delta: int  # 0 when nothing was booked (duplicate ref or zero points)
    before: Standing
    after: Standing

    @property
    def leveled_up(self) -> bool:
        before = self.before.level.min if self.before.level else -1
        after = self.after.level.min if self.after.level else -1
        return after > before


def rights_text(rights: str) -> str:
    """A level without configured rights still reads naturally in the persona's sentences."""
    return rights.strip() or "专属会员关怀"


def level_of(config: Config, earned: int) -> tuple[LevelSpec | None, LevelSpec | None]:
    """The highest level these earned points reach, and the next one."""
    level, nxt = None, None
    for spec in config.of(PointsConfig).levels:
        if earned >= spec.min:
            level = spec
        elif nxt is None:
            nxt = spec
    return level, nxt


def standing_of(config: Config, balance: int, earned: int | None = None, level_name: str = "") -> Standing:
    """The standing for a balance and earned points; `level_name` (customer.level) wins over the
    computed level when set, since a level is kept until the yearly review."""
    earned = balance if earned is None else earned
    level, nxt = level_of(config, earned)
    kept = config.of(PointsConfig).level(level_name) if level_name else None
    if kept is not None and (level is None or kept.min > level.min):
        level = kept
        nxt = next((spec for spec in config.of(PointsConfig).levels if spec.min > kept.min), None)
    return Standing(balance, level, nxt, earned)


async def earned_points(ctx: Ctx, customer: Customer) -> int:
    since = ctx.clock.now() - REVIEW_SPAN if ctx.settings.of(PointsConfig).review else None
    return await PointsRepo(ctx.session).earned(customer.id, exclude=SPENDING, since=since)


async def standing(ctx: Ctx, customer: Customer) -> Standing:
    return standing_of(ctx.settings, await PointsRepo(ctx.session).balance(customer.id),
                       await earned_points(ctx, customer), customer.level)


async def book(ctx: Ctx, customer: Customer, entry: PointsEntry, *, correction: bool = False) -> Standing:
    """Append a ledger row and write the customer's level; returns the standing after it.

    `correction`: points taken back (refund, staff deduction) may lower the level at once."""
    from handlers.points.levels import level_changed

    await PointsRepo(ctx.session).append(entry)
    after = await standing(ctx, customer)
    computed, _ = level_of(ctx.settings, after.earned)
    config = ctx.settings.of(PointsConfig)
    old, new = customer.level, computed.name if computed else ""
    if config.rank(new) > config.rank(old) or (correction and config.rank(new) < config.rank(old)):
        customer.level = new
        await level_changed(ctx, customer, old, new)
        after = await standing(ctx, customer)
    return after


async def award(ctx: Ctx, customer: Customer, delta: int, *, reason: str, source: str,
                ref: str | None = None) -> Award:
    """Book points once per `ref`; the Award says whether the customer reached a new level."""
    repo = PointsRepo(ctx.session)
    before = await standing(ctx, customer)
    if delta == 0 or (ref is not None and await repo.has_ref(ref)):
        return Award(0, before, before)
    entry = PointsEntry(customer_id=customer.id, delta=delta, reason=reason[:128], source=source[:64],
                        ref=ref, created_at=ctx.clock.now())
    after = await book(ctx, customer, entry, correction=delta < 0 and source not in SPENDING)
    return Award(delta, before, after)


async def level_up_say(ctx: Ctx, customer: Customer, result: Award) -> Say | None:
    """The level-up announcement; reaching `advisor_from_level` names the exclusive advisor the customer now has
    (`points.level_up_advisor`, as the persona names an advisor: their name, else 专属顾问)."""
    if not result.leveled_up or result.after.level is None:
        return None
    level = result.after.level
    facts: dict[str, object] = {"level": level.name, "rights": rights_text(level.rights),
                                "points": result.after.balance}
    config = ctx.settings.of(PointsConfig)
    threshold = config.rank(config.advisor_from_level) if config.advisor_from_level else 0
    before = config.rank(result.before.level.name) if result.before.level else 0
    if threshold and before < threshold <= config.rank(level.name) and customer.advisor_userid:
        advisor = display_name(await ctx.repos.staff.find(customer.advisor_userid))
        return Say("points.level_up_advisor", {**facts, "advisor": advisor})
    return Say("points.level_up", facts)


def balance_say(current: Standing) -> Say:
    level, nxt = current.level, current.next_level
    if level is None:
        return Say("points.balance_plain", {"points": current.balance})
    facts: dict[str, object] = {"points": current.balance, "level": level.name, "rights": rights_text(level.rights)}
    if nxt is None:
        return Say("points.balance_top", facts)
    return Say("points.balance", {**facts, "next_level": nxt.name, "to_next": current.to_next})


def levels_say(config: Config, current: Standing) -> Say:
    """"怎么才能升级": every level with the points that reach it and its rights, how points are earned, and where
    the customer stands (what the next level needs)."""
    points = config.of(PointsConfig)
    levels = "\n".join(f"「{spec.name}」累计 {spec.min} 分：{rights_text(spec.rights)}" for spec in points.levels)
    earning = f"每消费 1 元积 {points.per_yuan} 分，参加打卡、邀请好友也能攒" if points.per_yuan else \
        "参加打卡、邀请好友都能攒积分"
    facts: dict[str, object] = {"levels": levels, "earning": earning}
    level, nxt = current.level, current.next_level
    if level is None:
        nxt = nxt or (points.levels[0] if points.levels else None)
        assert nxt is not None
        to_next = max(nxt.min - current.earned, 0)
        return Say("points.levels_start", {**facts, "next_level": nxt.name, "to_next": to_next})
    if nxt is None:
        return Say("points.levels_top", {**facts, "level": level.name})
    return Say("points.levels", {**facts, "level": level.name, "next_level": nxt.name, "to_next": current.to_next})


# --- services for staff commands ------------------------------------------------------------


async def adjust_points(ctx: Ctx, external_userid: str, delta: int, *, reason: str, actor: str) -> Award:
    """Add (or with a negative delta, take away) points by hand; audited, and the customer hears
    about a new level in the persona's voice when the kf chat allows it."""
    if delta == 0:
        raise CommandError("积分调整值不能为 0：加分写 +N，扣分写 -N（例如 +50）。")
    if not reason.strip():
        raise CommandError("请写明调整原因（会记入积分流水），例如：线下活动奖励。")
    customer = await ctx.repos.customers.find(external_userid)
    if customer is None:
        raise CommandError(f"没有找到客户 {external_userid}")
    balance = await PointsRepo(ctx.session).balance(customer.id)
    if balance + delta < 0:  # only a refund of points already spent may take a balance below zero
        who = customer.name or customer.remark or customer.external_userid
        raise CommandError(f"{who} 现有 {balance} 分，最多只能扣 {max(balance, 0)} 分（积分不能扣成负数）。",
                           usage=False)
    result = await award(ctx, customer, delta, reason=reason, source=f"staff:{actor}")
    ctx.repos.audit.record(actor=actor, action="points_adjust", target=external_userid,
                           detail={"delta": delta, "reason": reason, "balance": result.after.balance},
                           now=ctx.clock.now())
    say = await level_up_say(ctx, customer, result)
    if say is not None:
        await tell(ctx, customer, "", say)
    return result


async def points_history(ctx: Ctx, external_userid: str, *, limit: int = 20) -> tuple[Standing, list[PointsEntry]]:
    """A customer's standing and latest ledger entries, newest first (for staff)."""
    customer = await ctx.repos.customers.find(external_userid)
    if customer is None:
        raise CommandError(f"没有找到客户 {external_userid}")
    return await standing(ctx, customer), await PointsRepo(ctx.session).history(customer.id, limit)
