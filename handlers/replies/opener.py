"""One opener per conversation: a customer who greets ("你好", "哈喽") or says it is their first visit
("哈喽，第一次来") right after the persona's own kf welcome is answered with a short "I'm here"
(`chat.greet_again`), as a person who just said hello would, not with a second welcome."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.services import Ctx
from storage.models import Customer, OutboxItem, OutboxStatus

# A greeting this soon after the welcome, with nothing said in between, continues that conversation;
# later, a greeting opens a new one and gets a full hello again.
WELCOME_FRESH = timedelta(minutes=30)
UNSENT = (OutboxStatus.DEAD, OutboxStatus.EXPIRED, OutboxStatus.CANCELLED)


async def just_welcomed(ctx: Ctx, customer: Customer) -> bool:
    """The chat's last words before this message are the persona's kf welcome, said within
    WELCOME_FRESH and not lost (a welcome whose code expired never reached the customer)."""
    recent = await ctx.repos.messages.recent(customer.id, 2, channel="kf")
    if len(recent) < 2:
        return False
    welcome, greeting = recent
    if (greeting.direction != "in" or greeting.staff_userid or welcome.direction != "out"
            or welcome.kind != "welcome" or ctx.clock.now() - welcome.created_at > WELCOME_FRESH):
        return False
    if welcome.outbox_id is None:
        return True
    status = await ctx.session.scalar(select(OutboxItem.status).where(OutboxItem.id == welcome.outbox_id))
    return status not in UNSENT
