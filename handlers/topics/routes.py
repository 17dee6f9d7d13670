"""Interest-group topics: learn customer groups from WeCom, post the topic calendar, read back results."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import GroupCreated, GroupUpdated
from handlers.services import Ctx
from handlers.topics.groups import learn_group

router = Router("topics")


@router.on(GroupCreated, GroupUpdated, block=False)
async def learn_customer_group(event: GroupCreated | GroupUpdated, ctx: Ctx) -> None:
    """A new group, or a new name or owner: ask WeCom for the details topic posts need."""
    if isinstance(event, GroupUpdated) and event.update_detail not in ("change_name", "change_owner"):
        return
    learn_group(ctx, event.chat_id)


