"""Staff command /points: a customer's balance and recent ledger, or an adjustment with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from bot.wecom.markdown import plain
from handlers.points.fulfil import REDEEM
from handlers.points.service import Award, adjust_points, points_history
from handlers.services import Ctx
from handlers.staff.lookup import find_customer
from handlers.staff.parsing import actor, expect
from storage.models import Customer

HISTORY = 10


@dataclass(frozen=True, slots=True)
class PointsArgs:
    customer: str
    delta: int | None = None  # None: show the balance and the recent ledger
    reason: str = ""


def parse_points(args: list[str]) -> PointsArgs:
    if len(args) == 1:
        return PointsArgs(args[0])
    if len(args) == 2:  # "/points 林晓 +50": the reason is what is missing, say so with the line to send
        delta = parse_delta(args[1])
        example = f"/points {args[0]} {delta:+d} 线下活动奖励"
        raise CommandError(f"请写明调整原因（会记入流水），例如：{example}")
    expect(args, 3)
    return PointsArgs(args[0], parse_delta(args[1]), " ".join(args[2:]))


def parse_delta(word: str) -> int:
    """"+50" or "-20" (the sign is required: no accidental adjustments)."""
    if not re.fullmatch(r"[+-]\d{1,6}", word):
        raise CommandError(f"「{word}」应为 +N 或 -N（例如 +50）。")
    return int(word)


def adjusted_text(customer: Customer, delta: int, reason: str, result: Award) -> str:
    """The answer to an adjustment (the command's and the console's)."""
    level = f" · 等级：{result.after.level.name}" if result.after.level else ""
    who = plain(customer.name or customer.remark or customer.external_userid, 40)
    return f"已为 {who} {delta:+d} 积分（{reason}），当前 {result.after.balance} 分{level}。"


async def run_points(ctx: Ctx, args: PointsArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    if args.delta is None:
        current, history = await points_history(ctx, customer.external_userid, limit=HISTORY)
        level = f"（{current.level.name}）" if current.level else ""
        lines = [f"{e.created_at.astimezone(ctx.local_now.tzinfo):%m-%d} {e.delta:+d} {e.reason}" for e in history]
        name = plain(customer.name or customer.external_userid, 40)
        return "\n".join([f"{name}：{current.balance} 分{level}", *lines])
    result = await adjust_points(ctx, customer.external_userid, args.delta, reason=args.reason, actor=actor(ctx))
    return adjusted_text(customer, args.delta, args.reason, result)


# The console's customer page adjusts points with this command's role.
POINTS = Command("/points", "operator", "/points <客户> [+N|-N <原因>]", "查看积分流水，或调整积分（记入流水并留痕）",
                 parse_points, run_points, order=160)
COMMANDS = (POINTS, REDEEM)
