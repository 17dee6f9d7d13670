"""Stage content that waits for a quiet chat, and never contradicts the customer.

A stage entered from a customer's message is entered mid-conversation: pushing its content right
after the answer lands on top of what the customer is asking ("保湿霜适合油皮用吗" → a 干皮 routine).
So the push waits ("waiting" on its `stage_entry` row, persisted) until nothing has been written
in or out of the customer's chat for `[tagging] stage_push_quiet_min` minutes; a minutely job then
sends it through the anti-spam gate (caps, quiet hours, opt-out), once: the row leaves "waiting"
in the transaction that queues the push.

The content must fit what the customer told us: a phrasing naming a kind (skin type, season, iced
or hot) of a group the customer's tags or recent messages name, but not theirs, is left out, with
the matcher's own list of such kinds (persona/matcher.py EXCLUSIVE). With no phrasing left, the
push is suppressed as "contradicts", recorded like the gate's reasons.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.antispam.gate import send_push
from handlers.escalation.escalate import held_by_advisor
from handlers.services import Ctx
from handlers.tagging.config import TaggingConfig
from persona.matcher import kinds, mismatched
from storage.models import Customer, StageEntry

JOB_NAME = "tagging.stage_pushes"
TOLD_MESSAGES = 20  # the customer's recent messages read for what they said about themselves


def quiet_for(ctx: Ctx) -> timedelta:
    return timedelta(minutes=ctx.settings.of(TaggingConfig).stage_push_quiet_min)


def hold_push(ctx: Ctx, entry: StageEntry, *, open_kfid: str) -> None:
    """Keep the stage's push until the chat has been quiet for a while."""
    entry.push, entry.open_kfid = "waiting", open_kfid[:64]
    entry.push_due_at = ctx.clock.now() + quiet_for(ctx)


async def customer_fit(ctx: Ctx, customer: Customer) -> Callable[[str], bool]:
    """Accepts a text unless it names only other kinds of a group the customer named (tags, words)."""
    tags = " ".join(t.name for t in await ctx.repos.tags.of_customer(customer.id))
    said = [m.text for m in await ctx.repos.messages.recent(customer.id, TOLD_MESSAGES)
            if m.direction == "in" and not m.staff_userid]
    theirs = kinds(" ".join([tags, *said]))
    return lambda text: not mismatched(theirs, kinds(text))


async def push_stage_content(ctx: Ctx, customer: Customer, entry: StageEntry) -> None:
    """Queue the stage's content through the gate, in a phrasing that fits the customer."""
    key = f"stage.{entry.stage}"
    if not ctx.persona.has(key) or entry.stage not in ctx.persona.stages:
        entry.push, entry.push_due_at = "none", None
        return
    outcome = await send_push(ctx, ctx.services.push_gate, customer, key, open_kfid=entry.open_kfid,
                              fits=await customer_fit(ctx, customer), name=customer.name,
                              stage=ctx.persona.stages[entry.stage].label)
    entry.push = outcome.status if not outcome.reason else f"{outcome.status}:{outcome.reason}"[:32]
    entry.push_due_at = None


def jobs(config: Config) -> list[Job]:
    return [Job(JOB_NAME, CronTrigger(minute="*", timezone=config.persona.timezone), send_waiting_pushes,
                misfire_grace_s=3600)]


async def send_waiting_pushes(ctx: Ctx, fire_time: datetime) -> None:
    """The job: push the content of stages whose customers' chats have gone quiet; check the others
    again when they may have."""
    now, quiet = ctx.clock.now(), quiet_for(ctx)
    for entry in await ctx.repos.stages.claim_waiting(now=now):
        customer = await ctx.repos.customers.get(entry.customer_id)
        last = await ctx.repos.stages.last_message_at(customer.id)
        if last is not None and now - last < quiet:  # still talking: wait for quiet after the last word
            entry.push_due_at = last + quiet
            continue
        mine = ctx.with_(customer=customer)
        if await held_by_advisor(mine) is not None:  # a person has the chat: not into their conversation
            entry.push_due_at = now + quiet
            continue
        await push_stage_content(mine, customer, entry)
