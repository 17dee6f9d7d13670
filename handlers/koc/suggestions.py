"""Suggestion-givers: a customer's message that proposes an improvement (a `[koc] suggestion_words`
word: 建议, 希望, 要是能, 能不能出, 如果有 ...) is recorded with its text; the `suggestion_repeat`-th one
gives the customer `suggestion_tag` (产品体验官候选), mirrored to WeCom. Recording is an observer:
the message is still answered as usual."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.koc.config import KocConfig
from handlers.services import Ctx
from handlers.tagging.service import give_tag
from storage.repos.koc import KocRepo

router = Router("suggestions")
MIN_CHARS = 6  # "希望" alone is no proposal


def is_suggestion(text: str, words: tuple[str, ...]) -> bool:
    text = text.strip()
    return len(text) >= MIN_CHARS and not text.startswith("/") and any(w in text for w in words)


def _suggests(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and event.msgtype == "text" and ctx.customer is not None
            and is_suggestion(event.text, ctx.settings.of(KocConfig).suggestion_words))


@router.on(KfMessageReceived, when=_suggests, block=False)
async def record_suggestion(event: KfMessageReceived, ctx: Ctx) -> None:
    customer = ctx.customer
    assert customer is not None
    config, repo, now = ctx.settings.of(KocConfig), KocRepo(ctx.session), ctx.clock.now()
    repo.add_suggestion(customer.id, event.text.strip(), now=now)
    if not config.suggestion_tag or await repo.suggestion_count(customer.id) != config.suggestion_repeat:
        return
    await give_tag(ctx, customer, config.suggestion_tag, source="suggestions")
