"""Staff command /redeem: the redemptions waiting to be shipped, and marking one shipped, which
tells the customer (in their kf chat while it is open, else as a push through the gate)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from bot.wecom.markdown import plain
from handlers.antispam.gate import send_push
from handlers.escalation.routing import member_label
from handlers.points.shipping import OPEN, staff_line
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from handlers.staff.parsing import actor, expect
from storage.models import Customer
from storage.repos.members import RewardRepo

LISTED = 20


@dataclass(frozen=True, slots=True)
class RedeemArgs:
    action: str  # list | done
    redemption_id: int = 0


def parse_redeem(args: list[str]) -> RedeemArgs:
    expect(args, 0, 2)
    if not args or args == ["list"]:
        return RedeemArgs("list")
    if args[0] == "done" and len(args) == 2:
        number = args[1].lstrip("#")
        if not number.isdigit():
            raise CommandError(f"「{args[1]}」不是兑换编号（例如 /redeem done 12）。")
        return RedeemArgs("done", int(number))
    if args == ["done"]:
        raise CommandError("请写上兑换编号，例如 /redeem done 12（/redeem list 查看待发货的编号）。")
    raise CommandError(f"不认识「{plain(' '.join(args), 20)}」。")


def _who(customer: Customer) -> str:
    return plain(customer.name or customer.remark or customer.external_userid, 40)


async def run_redeem(ctx: Ctx, args: RedeemArgs) -> str:
    repo = RewardRepo(ctx.session)
    if args.action == "list":
        rows = await repo.redemptions(("ordered",), limit=LISTED)
        if not rows:
            return "没有待发货的积分兑换。"
        tz = ctx.local_now.tzinfo
        lines = []
        for r, w, c in rows:
            if r.ordered_at is None:
                continue
            when = f"{r.ordered_at.astimezone(tz):%m-%d %H:%M}"
            lines.append(f"#{r.id} {when} {_who(c)} 「{plain(w.name, 30)}」{r.cost} 分")
            if where := staff_line(r, tz):
                lines.append(f"　{'⏳ ' if r.address_status in OPEN else ''}{where}")
        waiting = sum(r.address_status in OPEN for r, _, _ in rows)
        tail = f"其中 {waiting} 个在等客户的收货地址（确认后会通知你）。" if waiting else ""
        return "\n".join(["待发货的积分兑换：", *lines, f"{tail}发货后回复 /redeem done <编号>"])
    return await mark_shipped(ctx, args.redemption_id, actor(ctx))


async def mark_shipped(ctx: Ctx, redemption_id: int, by: str) -> str:
    repo = RewardRepo(ctx.session)
    redemption = await repo.redemption(redemption_id)
    if redemption is None or redemption.status not in ("ordered", "shipped"):
        raise CommandError(f"没有待发货的兑换 #{redemption_id}（/redeem list 查看）。")
    reward = await repo.reward(redemption.reward_id)
    if redemption.status == "shipped":  # when and by whom, as a ticket already closed is told
        when = f"{redemption.shipped_at.astimezone(ctx.local_now.tzinfo):%m-%d %H:%M} " if redemption.shipped_at else ""
        by_whom = f"由 {await member_label(ctx, redemption.shipped_by)} " if redemption.shipped_by else ""
        return f"兑换 #{redemption_id}「{plain(reward.name, 30)}」已于 {when}{by_whom}标记为已发货，不用再标。"
    customer = await ctx.repos.customers.get(redemption.customer_id)
    redemption.status, redemption.shipped_at, redemption.shipped_by = "shipped", ctx.clock.now(), by
    ctx.repos.audit.record(actor=by, action="redemption.shipped", target=customer.external_userid,
                           detail={"redemption": redemption_id, "reward": reward.key}, now=ctx.clock.now())
    say = Say("points.shipped", {"reward": reward.name})
    told = await tell(ctx, customer, redemption.open_kfid, say) is not None
    if not told:
        outcome = await send_push(ctx, ctx.services.push_gate, customer, say.key, open_kfid=redemption.open_kfid,
                                  name=customer.name, **say.facts)
        told = outcome.item is not None
    note = "已通知客户" if told else "客户暂时无法触达（已记录），请在企业微信里告诉客户"
    unsure = "（客户没有确认过收货地址，请确认寄对了地方）" if redemption.address_status in OPEN else ""
    return f"兑换 #{redemption_id}「{plain(reward.name, 30)}」已标记为已发货，{note}。{unsure}"


REDEEM = Command("/redeem", "operator", "/redeem list|done <编号>", "积分兑换：待发货列表，标记已发货并通知客户",
                 parse_redeem, run_redeem, order=165)
