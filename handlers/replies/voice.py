"""Speaking to a customer outside an inbound event (jobs, follow-ups, other customers' events).

The persona renders, seeded by the customer so phrasing varies between people and avoids the
variant this customer got last; the text goes out through the kf chat the customer used.
kf/send_msg only works within 48 h of the customer's last message and for at most 5 messages
after it (kf.md §4), so we do not queue messages WeCom is bound to refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.wecom import kf_window
from handlers.antispam.gate import send_push
from handlers.services import Ctx
from storage.models import Customer, OutboxItem
from storage.repos import KfWindowRepo


@dataclass(frozen=True, slots=True)
class Say:
    """A reply a service decided on; the handler or job speaks it in the persona's voice."""

    key: str
    facts: dict[str, Any] = field(default_factory=dict)
    kind: str = "answer"
    slot: str | None = None  # a situation's phrasings (persona/model.py SITUATIONS), else by the time of day


def reachable(customer: Customer, now: datetime) -> bool:
    return kf_window.is_open(customer.last_inbound_at, now)


async def tell(ctx: Ctx, customer: Customer, open_kfid: str, say: Say) -> OutboxItem | None:
    """Queue one message to a customer in their kf chat; None when WeCom would refuse it, or (for
    a push) when the anti-spam gate does not admit it — that case is recorded with its reason."""
    open_kfid = open_kfid or ctx.settings.wecom.open_kfid
    if say.kind == "push":
        outcome = await send_push(ctx, ctx.services.push_gate, customer, say.key, open_kfid=open_kfid, kf_only=True,
                                  name=customer.name, **say.facts)
        return outcome.item
    if not open_kfid or not reachable(customer, ctx.clock.now()):
        return None
    assert customer.last_inbound_at is not None
    if await KfWindowRepo(ctx.session).sent_since(customer.id, customer.last_inbound_at) >= kf_window.MESSAGES:
        return None
    last = await ctx.repos.messages.last_variant(customer.id, say.key)
    rendered = ctx.with_(customer=customer).render(say.key, last_variant=last, slot=say.slot, name=customer.name,
                                                   **say.facts)
    return ctx.outbox.kf_send(open_kfid, customer, rendered.text, kind=say.kind,
                              template_key=f"{say.key}#{rendered.variant}")


def lines_of(ctx: Ctx, says: list[Say]) -> list[str]:
    """Decided replies rendered as lines of a message the persona joins (Feature.whats_on), not sent."""
    name = ctx.customer.name if ctx.customer is not None else ""
    return [ctx.render(say.key, slot=say.slot, **{"name": name, **say.facts}).text for say in says]


async def reply_all(ctx: Ctx, says: list[Say]) -> None:
    """Answer the current kf event with each decided reply, in order."""
    name = ctx.customer.name if ctx.customer is not None else ""
    for say in says:
        await ctx.say(say.key, kind=say.kind, slot=say.slot, **{"name": name, **say.facts})
