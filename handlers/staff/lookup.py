"""Finding the customer, member or tag a staff command names: customers by external id, name
or remark, tags by name or "组/名称".

Exact matches win; several matches become a numbered choice the member answers with a digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches
from typing import Protocol, TypeVar

from bot.errors import CommandError
from bot.roles import member_words
from bot.wecom.markdown import plain
from handlers.escalation.routing import member_label
from handlers.services import Ctx
from storage.models import Customer, Staff, Tag

MAX_CHOICES = 9


class Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


K = TypeVar("K", bound=Keyed)


def by_key_or_name(query: str, found: K | None, every: Sequence[K], what: str) -> K:
    """The campaign a staff command names: `found` by its key, or else the one of `every` with this name
    ("/campaign stats 7天早睡打卡"); CommandError listing them all ("demo7（7天早睡打卡）") when none is."""
    if found is not None:
        return found
    named = [c for c in every if c.name == query] if query else []
    if len(named) == 1:
        return named[0]
    keys = ", ".join(f"{c.key}（{c.name}）" for c in every) or "（还没有）"
    if not query:  # "/campaign stats" alone: which one, among these
        raise CommandError(f"请写上{what}的标识或名称；现有：{keys}")
    raise CommandError(f"没有{what} {query}；现有：{keys}")


class AmbiguousCustomer(CommandError):
    """Several customers match; the runner offers them as a numbered choice."""

    def __init__(self, query: str, candidates: list[Customer]) -> None:
        super().__init__(f"有 {len(candidates)} 位客户都叫「{query}」")
        self.query = query
        self.candidates = candidates


async def describe(ctx: Ctx, customer: Customer) -> str:
    """One line that tells same-named customers apart; the member who added them as 王芳（wang.fang）."""
    parts = [plain(customer.name, 40) or "（无昵称）"]
    if customer.remark:
        parts.append(f"备注 {plain(customer.remark, 40)}")
    if customer.owner_userid:
        parts.append(f"添加人 {await member_label(ctx, customer.owner_userid)}")
    return " · ".join(parts) + f" · {customer.external_userid}"


async def find_customer(ctx: Ctx, query: str) -> Customer:
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


async def find_staff(ctx: Ctx, query: str, *, include_inactive: bool = False) -> Staff:
    """A member by userid or display name. A disabled member (removed from [staff]) is refused with
    a reply that says so, unless `include_inactive`: nobody is assigned to someone who has left."""
    found = await ctx.repos.staff.find(query)
    if found is None:
        named = [s for s in await ctx.repos.staff.list(include_inactive=True) if s.name and s.name == query]
        active = [s for s in named if s.active]
        found = active[0] if len(active) == 1 else named[0] if not active and len(named) == 1 else None
    if found is not None and (found.active or include_inactive):
        return found
    everyone = await ctx.repos.staff.list()
    known = "、".join(member_words(s.name, s.userid) for s in everyone) or "（还没有登记的员工）"
    if found is not None:
        raise CommandError(f"员工「{member_words(found.name, found.userid)}」已停用，不能指派。在职员工：{known}")
    raise CommandError(f"找不到员工「{query}」。已登记：{known}")


async def find_tag(ctx: Ctx, word: str) -> Tag | None:
    """"名称" or "组/名称"; CommandError when a bare name exists in several groups."""
    group, _, name = word.rpartition("/")
    if group:
        return await ctx.repos.tags.find(group, name)
    found = await ctx.repos.tags.find_by_name(name)
    if len(found) > 1:
        options = "、".join(f"{t.group_name}/{t.name}" for t in found)
        raise CommandError(f"标签「{name}」在多个分组里都有，请写明分组：{options}")
    return found[0] if found else None


TAGS_LISTED = 12  # existing tags named when an unknown one cannot be created


async def unknown_tag(ctx: Ctx, word: str, *, creatable: bool = True) -> CommandError:
    """No such tag: the nearest name, else how to create one (/tag) or the tags there are (/broadcast)."""
    names = sorted(await ctx.repos.tags.all_names())
    close = get_close_matches(word, names, n=1, cutoff=0.5)
    if close:
        hint = f"你是不是想找「{close[0]}」？"
    elif creatable:
        hint = "新建标签请在名称前加 +，例如 +复购客户。"
    elif names:
        more = f" 等 {len(names)} 个" if len(names) > TAGS_LISTED else ""
        hint = f"现有标签：{'、'.join(names[:TAGS_LISTED])}{more}。"
    else:
        hint = "还没有任何标签：先用 /tag 客户 +标签 给客户打上。"
    return CommandError(f"没有标签「{word}」。{hint}")
