"""Suggestion-givers: a customer's kf message that proposes an improvement is kept with its text,
customer and time; the `[suggestions] repeat`-th one tags the customer (产品体验官候选 by default,
mirrored to WeCom) as a candidate for a product-experience group. The message is still answered
as usual: this only observes.

The rules (detector.py) decide first and for free; a text they leave open goes to the knowledge
model (model.py), in a worker thread and before this handler writes anything. The model embeds
the text exactly as the knowledge base does, so the answer that follows reuses the vector: the
event's transaction waits for one embedding (20-50 ms on a shared 2-core VM), as it did before
the model.
"""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from bot.wecom.markdown import plain
from handlers.insights.config import SuggestionsConfig
from handlers.insights.detector import rule_verdict
from handlers.insights.text import fit_lines
from handlers.services import Ctx
from handlers.tagging.service import apply_tags
from persona.heard import heard
from storage.models import Customer, Suggestion
from storage.repos.insights import SuggestionRepo

router = Router("insights")


def _may_propose(event: KfMessageReceived, ctx: Ctx) -> bool:
    """Cheap: a customer's text the rules call a suggestion, or leave open while the model is on."""
    if not (event.from_customer and event.msgtype == "text" and ctx.customer is not None
            and ctx.settings.of(SuggestionsConfig).enabled):
        return False
    verdict = rule_verdict(heard(event.text))
    return verdict is True or (verdict is None and ctx.services.suggestions is not None)


@router.on(KfMessageReceived, when=_may_propose, block=False)
async def record_suggestion(event: KfMessageReceived, ctx: Ctx) -> None:
    """Keep the suggestion; the `repeat`-th one tags the giver (once: a tag staff removed stays removed)."""
    customer = ctx.customer
    assert customer is not None
    model = ctx.services.suggestions
    if rule_verdict(heard(event.text)) is None and (model is None or not await model.proposes(event.text)):
        return
    repo = SuggestionRepo(ctx.session)
    repo.add(customer.id, event.text.strip(), msgid=event.msgid, now=ctx.clock.now())
    await ctx.session.flush()
    cfg = ctx.settings.of(SuggestionsConfig)
    if cfg.tag_ref is not None and await repo.count_of(customer.id) == cfg.repeat:
        await apply_tags(ctx, customer, add=(cfg.tag_ref,), source="suggestions")


def suggestion_line(ctx: Ctx, row: Suggestion, customer: Customer, given: int) -> str:
    when = row.created_at.astimezone(ctx.local_now.tzinfo)
    name = plain(customer.name or customer.remark or customer.external_userid, 40)
    return f"{when:%m-%d %H:%M} {name}（共 {given} 条）：{plain(row.text, 120)}"


async def recent_suggestions_text(ctx: Ctx, n: int) -> str:
    rows = await SuggestionRepo(ctx.session).recent(n)
    if not rows:
        return "还没有客户建议。"
    return fit_lines(f"最近 {len(rows)} 条客户建议（新的在前）：",
                     [suggestion_line(ctx, s, c, given) for s, c, given in rows])
