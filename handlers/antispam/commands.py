"""Staff command /optout: stop marketing pushes to a customer."""

from __future__ import annotations

from bot.commands import Command
from handlers.customers.commands import CustomerArgs, audit_customer, who
from handlers.services import Ctx
from handlers.staff.lookup import find_customer
from handlers.staff.parsing import expect


def parse_optout(args: list[str]) -> CustomerArgs:
    return CustomerArgs(expect(args, 1, 1)[0])


async def run_optout(ctx: Ctx, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    if customer.opted_out:
        return f"{who(customer)} 已经退订过营销推送了"
    customer.opted_out = True
    audit_customer(ctx, "opt_out", customer, by="staff")
    return f"已为 {who(customer)} 退订营销推送（服务消息照常；客户回复“订阅”可恢复）"


COMMANDS = (
    Command("/optout", "operator", "/optout <客户>", "为客户退订营销推送", parse_optout, run_optout, order=110),
)
