"""Who may see which customer or customer group in the chat sidebar.

The page asks with the id the JS-SDK gave it (getCurExternalContact / getCurExternalChat), so the
server decides from the signed-in member alone: operators and admins see every customer; an
advisor sees a customer they follow — the member who added them, their own advisor, the advisor of
one of their tickets, or one of the members WeCom lists as following them (externalcontact/get
follow_user, asked only when our own records do not already say yes). A customer group: its owner,
a member who is in it, or an operator. Unknown and not allowed look the same to the page.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from bot import roles
from bot.roles import Role
from handlers.services import Ctx
from storage.models import Customer, CustomerGroup
from storage.repos import InterestRepo
from storage.views import ConsoleViews

log = logging.getLogger(__name__)

MAX_ID = 64  # external_userid and chat_id columns
Followers = Callable[[str], Awaitable[set[str]]]  # external_userid → userids WeCom says follow them


async def visible_customer(ctx: Ctx, userid: str, role: str, external_userid: str,
                           followers: Followers) -> tuple[Customer | None, str]:
    """(the customer, "") when the member may see them, else (None, why) for the audit log."""
    if not external_userid or len(external_userid) > MAX_ID:
        return None, "bad_id"
    customer = await ctx.repos.customers.find(external_userid)
    if customer is None:
        return None, "unknown"
    if roles.allows(role, Role.OPERATOR) or userid in (customer.owner_userid, customer.advisor_userid):
        return customer, ""
    if await ConsoleViews(ctx.session).serves(userid, customer.id):  # a ticket of theirs
        return customer, ""
    if userid in await followers(external_userid):
        return customer, ""
    return None, "not_following"


async def visible_group(ctx: Ctx, userid: str, role: str, chat_id: str) -> tuple[CustomerGroup | None, str]:
    if not chat_id or len(chat_id) > MAX_ID:
        return None, "bad_id"
    group = await ctx.repos.groups.find(chat_id)
    if group is None:
        return None, "unknown"
    if roles.allows(role, Role.OPERATOR) or group.owner_userid == userid:
        return group, ""
    if userid in await InterestRepo(ctx.session).active_members(group.id):
        return group, ""
    return None, "not_member"
