"""Staff command /points: adjust a customer's points with a reason (ledger + audit)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from handlers.services import Ctx
from bot.errors import CommandError
from handlers.staff.parsing import actor
from handlers.staff.lookup import find_customer
from handlers.staff.parsing import expect
from handlers.points.service import adjust_points
from bot.commands import Command


@dataclass(frozen=True, slots=True)
class PointsArgs:
    customer: str
    delta: int
    reason: str


def parse_points(args: list[str]) -> PointsArgs:
    expect(args, 3)
    if not re.fullmatch(r"[+-]\d{1,6}", args[1]):
        raise CommandError(f"「{args[1]}」应为 +N 或 -N（例如 +50）。")
    return PointsArgs(args[0], int(args[1]), " ".join(args[2:]))


async def run_points(ctx: Ctx, args: PointsArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    result = await adjust_points(ctx, customer.external_userid, args.delta, reason=args.reason, actor=actor(ctx))
    level = f" · 等级：{result.after.level.name}" if result.after.level else ""
    who = customer.name or customer.remark or customer.external_userid
    return f"已为 {who} {args.delta:+d} 积分（{args.reason}），当前 {result.after.balance} 分{level}。"


COMMANDS = (
    Command("/points", "operator", "/points <客户> +N|-N <原因>", "调整会员积分（记入流水并留痕）", parse_points, run_points,
            order=160),
)
