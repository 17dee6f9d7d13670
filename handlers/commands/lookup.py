"""Finding the customer or member a staff command names: by external id, name or remark.

Exact matches win; several matches become a numbered choice the member answers with a digit.
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from storage.models import Customer, Staff

MAX_CHOICES = 9


class AmbiguousCustomer(CommandError):
    """Several customers match; the runner offers them as a numbered choice."""

    def __init__(self, query: str, candidates: list[Customer]) -> None:
        super().__init__(f"有 {len(candidates)} 位客户都叫「{query}」")
        self.query = query
        self.candidates = candidates


def describe(customer: Customer) -> str:
    """One line that tells same-named customers apart."""
    parts = [customer.name or "（无昵称）"]
    if customer.remark:
        parts.append(f"备注 {customer.remark}")
    if customer.owner_userid:
        parts.append(f"添加人 {customer.owner_userid}")
    return " · ".join(parts) + f" · {customer.external_userid}"


async def find_customer(ctx: Context, query: str) -> Customer:
    """The one customer `query` names; CommandError if none, AmbiguousCustomer if several."""
    exact = await ctx.repos.customers.find(query)
    if exact is not None:
        return exact
    matches = await ctx.repos.customers.search(query, limit=MAX_CHOICES + 1)
    same = [c for c in matches if query in (c.name, c.remark)]
    found = same or matches
    if not found:
        raise CommandError(f"找不到客户「{query}」（可以用外部联系人ID、昵称或备注）。")
    if len(found) == 1:
        return found[0]
    if len(found) > MAX_CHOICES:
        raise CommandError(f"「{query}」匹配到的客户太多，请写得更具体一些，或直接用外部联系人ID。")
    raise AmbiguousCustomer(query, found)


async def find_staff(ctx: Context, query: str) -> Staff:
    """A member by userid or display name."""
    found = await ctx.repos.staff.find(query)
    if found is not None:
        return found
    everyone = await ctx.repos.staff.list()
    named = [s for s in everyone if s.name and s.name == query]
    if len(named) == 1:
        return named[0]
    known = "、".join(f"{s.name or s.userid}（{s.userid}）" for s in everyone) or "（还没有登记的员工）"
    raise CommandError(f"找不到员工「{query}」。已登记：{known}")
