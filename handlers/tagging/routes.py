"""Staff changed tags in the WeCom client: read them back (the mirror worker does the reading)."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import CorpTagChanged, FriendEdited
from handlers.services import Ctx
from handlers.tagging.config import TaggingConfig

router = Router("tagging")


@router.on(FriendEdited)
async def read_back_contact_tags(event: FriendEdited, ctx: Ctx) -> None:
    """Staff edited the customer's remark or tags in the client: read them back (bot/tagsync.py)."""
    customer = ctx.customer
    assert customer is not None
    now = ctx.clock.now()
    if ctx.settings.of(TaggingConfig).mirror and not await ctx.repos.tag_sync.has_unclaimed("pull_contact", now=now,
                                                                                  customer_id=customer.id):
        ctx.repos.tag_sync.add("pull_contact", customer_id=customer.id, now=now)


@router.on(CorpTagChanged)
async def read_back_tag_library(event: CorpTagChanged, ctx: Ctx) -> None:
    """Staff created, renamed, deleted or reordered corp tags: re-read the library once."""
    now = ctx.clock.now()
    if ctx.settings.of(TaggingConfig).mirror and not await ctx.repos.tag_sync.has_unclaimed("pull_library", now=now):
        ctx.repos.tag_sync.add("pull_library", now=now)
