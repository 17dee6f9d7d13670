"""What the answer to a kf session transfer unlocks: the persona's goodbye as the session ends."""

from __future__ import annotations

from datetime import timedelta

from handlers.services import Ctx
from storage.models import Customer, OutboxItem


async def send_goodbye(ctx: Ctx, item: OutboxItem) -> None:
    """Ending a session (service_state 4) answers with a msg_code good for one message within 20 s
    (kf.md §5); the text waited on the row under "_then". Without a code we may send nothing."""
    then = item.payload.get("_then") if isinstance(item.payload, dict) else None
    if not isinstance(then, dict) or then.get("api") != "kf/send_msg_on_event":
        return
    code = str((item.result or {}).get(str(then.get("code_from", ""))) or "")
    if not code:
        ctx.log.info("goodbye skipped: no msg_code in the answer", extra={"outbox_id": item.id})
        return
    customer = await ctx.session.get(Customer, item.customer_id) if item.customer_id is not None else None
    ctx.outbox.kf_send_on_event(code, str(then.get("text", "")), customer=customer, kind="answer",
                                deadline=ctx.clock.now() + timedelta(seconds=float(then.get("ttl_s", 19))),
                                template_key=str(then.get("template_key", "")))


