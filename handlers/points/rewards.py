"""Points that buy things: the rewards catalogue ([points] rewards, seeded into `reward`), and a
customer's redemption in two steps: "兑换 <名称>" asks for confirmation, "确认兑换" takes the points
and one from the stock in one transaction, then staff are told to ship it (`/redeem`).

The confirmation re-checks everything under a lock: the customer's row is locked (PostgreSQL;
SQLite serialises writers anyway), so two confirmations of one customer run one after the other and
the second sees the first's debit; the stock is taken by one conditional UPDATE (stock > 0), so two
customers cannot both take the last one. A balance never goes below zero through a redemption.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.wecom.markdown import plain
from handlers.points.config import PointsConfig
from handlers.points.service import book, standing
from handlers.points.shipping import start_asking
from handlers.replies.voice import Say
from handlers.services import Ctx
from storage.models import Customer, PointsEntry, Redemption, Reward
from storage.repos import PointsRepo
from storage.repos.members import RewardRepo

SOURCE = "redeem"


async def seed_rewards(session: AsyncSession, config: Config, now: datetime) -> None:
    """The configured catalogue into the database: new keys added, names and costs updated, a raised
    stock added to what is left, keys no longer configured withdrawn (their history stays)."""
    repo, specs = RewardRepo(session), {r.key: r for r in config.of(PointsConfig).rewards}
    for row in await repo.all(active_only=False):
        spec = specs.pop(row.key, None)
        if spec is None:
            row.active = False
            continue
        row.name, row.cost, row.min_level, row.active = spec.name, spec.cost, spec.min_level, True
        row.ships = spec.ships
        if spec.stock != row.stock_configured:
            row.stock = max(0, row.stock + spec.stock - row.stock_configured)
            row.stock_configured = spec.stock
    for spec in specs.values():
        session.add(Reward(key=spec.key, name=spec.name, cost=spec.cost, stock=spec.stock, stock_configured=spec.stock,
                           min_level=spec.min_level, ships=spec.ships, active=True, created_at=now))
    await session.flush()


def _label(reward: Reward) -> str:
    return f"{reward.name}（{reward.cost} 分）"


def level_allows(ctx: Ctx, customer: Customer, reward: Reward) -> bool:
    config = ctx.settings.of(PointsConfig)
    return not reward.min_level or config.rank(customer.level) >= config.rank(reward.min_level)


async def _catalogue(ctx: Ctx, customer: Customer) -> tuple[int, list[Reward], list[Reward]]:
    """The customer's balance, the rewards open to them (level and stock allowing) and those they can afford."""
    balance = (await standing(ctx, customer)).balance
    rewards = [r for r in await RewardRepo(ctx.session).all() if r.stock > 0 and level_allows(ctx, customer, r)]
    return balance, rewards, [r for r in rewards if r.cost <= balance]


CHEAPEST_PLACE = -1  # "换个最便宜的": the cheapest reward open to the customer, affordable or not


async def listed(ctx: Ctx, customer: Customer, place: int) -> str:
    """The name of the reward at `place` of what "积分兑换" shows this customer: the affordable list, or, with
    nothing affordable, the cheapest one it names; past the end, the place as said (no reward has that name,
    so the reply lists them). CHEAPEST_PLACE is the cheapest reward open to them (its reply says what it
    still needs when the balance is short)."""
    _, rewards, affordable = await _catalogue(ctx, customer)
    if place == CHEAPEST_PLACE:
        return min(rewards, key=lambda r: r.cost).name if rewards else "最便宜的"
    shown = affordable or sorted(rewards, key=lambda r: r.cost)[:1]
    return shown[place].name if place < len(shown) else f"第{place + 1}个"


async def catalogue_say(ctx: Ctx, customer: Customer) -> Say:
    """"积分兑换": the rewards this customer can afford now (level and stock allowing)."""
    balance, rewards, affordable = await _catalogue(ctx, customer)
    if affordable:
        return Say("points.rewards", {"points": balance, "rewards": "\n".join(f"· {_label(r)}" for r in affordable),
                                      "keyword": ctx.settings.of(PointsConfig).redeem_keyword})
    cheapest = min(rewards, key=lambda r: r.cost) if rewards else None
    return Say("points.rewards_none", {"points": balance, "cheapest": _label(cheapest) if cheapest else "新礼品上架"})


def _find(rewards: list[Reward], wanted: str) -> Reward | None:
    exact = [r for r in rewards if r.name == wanted]
    near = exact or [r for r in rewards if wanted and wanted in r.name]
    return near[0] if len(near) == 1 else None


async def ask_to_redeem(ctx: Ctx, customer: Customer, wanted: str, open_kfid: str) -> Say:
    """"兑换 <名称>": check what can be checked now and ask for confirmation (nothing taken yet)."""
    repo, now = RewardRepo(ctx.session), ctx.clock.now()
    rewards = await repo.all()
    reward = _find(rewards, wanted.strip())
    if reward is None:
        names = "、".join(r.name for r in rewards if r.stock > 0) or "暂无"
        return Say("points.redeem_unknown", {"reward": plain(wanted, 20), "rewards": names})
    if not level_allows(ctx, customer, reward):
        return Say("points.redeem_level", {"reward": reward.name, "level": reward.min_level})
    if reward.stock <= 0:
        return Say("points.redeem_out", {"reward": reward.name})
    balance = (await standing(ctx, customer)).balance
    if balance < reward.cost:
        return Say("points.redeem_short", {"reward": reward.name, "cost": reward.cost, "points": balance,
                                           "short": reward.cost - balance})
    earlier = await repo.pending_of(customer.id, now=now)
    if earlier is not None:
        earlier.status = "cancelled"
    minutes = ctx.settings.of(PointsConfig).confirm_minutes
    ctx.session.add(Redemption(customer_id=customer.id, reward_id=reward.id, cost=reward.cost, status="awaiting",
                               open_kfid=open_kfid, created_at=now, expires_at=now + timedelta(minutes=minutes),
                               shipped_by=""))
    await ctx.session.flush()
    return Say("points.redeem_confirm", {"reward": reward.name, "cost": reward.cost, "points": balance,
                                         "after": balance - reward.cost, "minutes": minutes})


async def confirm_redemption(ctx: Ctx, customer: Customer) -> Say:
    """"确认兑换": take the points and one from the stock, both or neither, and tell staff."""
    repo, now = RewardRepo(ctx.session), ctx.clock.now()
    await repo.lock_customer(customer.id)
    pending = await repo.pending_of(customer.id, now=now)
    if pending is None:
        return Say("points.redeem_nothing")
    reward = await ctx.session.get(Reward, pending.reward_id, populate_existing=True)
    assert reward is not None
    balance = await PointsRepo(ctx.session).balance(customer.id)
    if balance < pending.cost:
        pending.status = "cancelled"
        return Say("points.redeem_short", {"reward": reward.name, "cost": pending.cost, "points": balance,
                                           "short": pending.cost - balance})
    if not reward.active or not await repo.take_one(reward.id):
        pending.status = "cancelled"
        return Say("points.redeem_out", {"reward": reward.name})
    pending.status, pending.ordered_at = "ordered", now
    await ctx.session.refresh(reward, ["stock"])
    after = await book(ctx, customer, PointsEntry(customer_id=customer.id, delta=-pending.cost,
                                                  reason=f"兑换 {reward.name}"[:128], source=SOURCE,
                                                  ref=f"redeem:{pending.id}", created_at=now))
    tell_fulfillers(ctx, pending, reward, customer)
    if reward.ships:  # where to send it: asked now, in the same message
        return await start_asking(ctx, customer, pending, reward, after.balance)
    return Say("points.redeem_done", {"reward": reward.name, "cost": pending.cost, "points": after.balance})


async def cancel_redemption(ctx: Ctx, customer: Customer) -> Say:
    pending = await RewardRepo(ctx.session).pending_of(customer.id, now=ctx.clock.now())
    if pending is None:
        return Say("points.redeem_nothing")
    pending.status = "cancelled"
    reward = await ctx.session.get(Reward, pending.reward_id)
    return Say("points.redeem_cancelled", {"reward": reward.name if reward else ""})


# A bare answer to "确认用 300 积分兑换…吗？" (sandbox trial, 2026-12-05: "确定" got "小柚在听～")
YES = frozenset({"确定", "确认", "好的", "好", "好滴", "嗯", "嗯嗯", "可以", "可以的", "行", "ok", "要", "要的", "换",
                 "兑换", "是的", "对", "没问题", "确定的", "确定要"})
NO = frozenset({"算", "那算", "不要", "不换", "取消", "不用", "先不", "不", "还是算", "不兑换"})  # "算了" trimmed
_REPLY_TRIM = " \t。.,，!！~～吧啊呀了呢哦"
CONFIRM_ASKED = "points.redeem_confirm#"  # the stored template key of the question, with its variant


async def settle_in_words(ctx: Ctx, customer: Customer, text: str, msgid: str) -> Say | None:
    """A bare "确定", "好的" or "算了" answering the persona's question to confirm a redemption, while it is still
    open, confirms or cancels it; None when the message is no such answer (the persona asked something else
    since, or nothing waits)."""
    said = text.strip().strip(_REPLY_TRIM).lower()
    if said not in YES and said not in NO:
        return None
    history = await ctx.repos.messages.recent(customer.id, 6, channel="kf")
    last = next((m for m in reversed(history) if m.direction == "out" and m.external_msgid != msgid), None)
    if last is None or not last.template_key.startswith(CONFIRM_ASKED):
        return None
    if await RewardRepo(ctx.session).pending_of(customer.id, now=ctx.clock.now()) is None:
        return None
    return await (confirm_redemption if said in YES else cancel_redemption)(ctx, customer)


def fulfillers(ctx: Ctx) -> list[str]:
    configured = ctx.settings.of(PointsConfig).fulfil_by
    staff = ctx.settings.staff
    return list(configured or dict.fromkeys([*staff.admins, *staff.operators]))


def tell_fulfillers(ctx: Ctx, redemption: Redemption, reward: Reward, customer: Customer) -> None:
    """An app message to whoever ships rewards (operational text, not the persona's voice)."""
    who = plain(customer.name or customer.remark or customer.external_userid, 40)
    then = ("丸子正在问客户收货地址，客户确认后会再通知你（/redeem list 可查看）。" if reward.ships
            else f"请安排发放，完成后回复：/redeem done {redemption.id}")
    text = (f"【积分兑换 #{redemption.id}】{who} 用 {redemption.cost} 积分兑换了「{plain(reward.name, 64)}」"
            f"（剩余库存 {reward.stock}）。{then}")
    for userid in fulfillers(ctx):
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, userid, text)
