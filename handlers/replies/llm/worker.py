"""The worker that answers queued messages with the model, outside any database transaction.

Due messages are leased in one short transaction that also reads what answering each needs (is a
person holding the chat? budget left today? the last turns). Then, with no session open, the
closest knowledge-base entries, the model call bounded by the message's deadline (less a margin
for the write), the guard; then a short write: the model's answer through the persona's
`reply.llm` template, or the embedded answer (reason counted in /metrics). Calls run concurrently, so one slow answer
never delays another customer's. A message whose worker died is taken again when its lease ends;
by then its deadline has passed and the embedded path answers at once. A question the model does
not answer (it declined, failed or was not asked) gets the 猜你想问 offer when the knowledge base has
plausible entries (clarify.py), as with the model off; else the embedded answer.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from bot.digest_metrics import Window
from bot.errors import LlmError
from bot.feature import WorkerKit
from bot.llm import ChatClient, Completion, LlmConfig
from bot.workers import Worker, run_loop
from handlers.escalation.escalate import held_by_advisor
from handlers.replies.clarify import offer, plausible
from handlers.replies.config import FaqConfig
from handlers.replies.fallback import embedded_answer
from handlers.replies.llm.guard import check
from handlers.replies.llm.prompt import HISTORY_MESSAGES, Grounding, build_messages
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from persona.faq import FaqEntry
from storage.models import Customer, LlmReply, Message
from storage.repos.llm import LlmReplyRepo

log = logging.getLogger(__name__)

GROUNDING_ENTRIES = 3  # knowledge-base entries the model sees
# Model calls in flight per process: a message waiting for a free slot would wait past its deadline.
MAX_CONCURRENT = 64
LEASE_MARGIN_S = 10.0  # a request's lease outlives its call by this much
FINISH_MARGIN_S = 0.5  # of timeout_s (a quarter at most) kept for writing the reply after the model's time
DB_SLOTS = 4  # database sessions the calls in flight may hold at once: the inbox and delivery need the pool too


@dataclass(frozen=True, slots=True)
class Plan:
    """What the first look decided: ask the model with these messages, or answer without it."""

    messages: list[dict[str, str]]
    allowed: str  # texts the answer's facts may come from
    skip: str = ""


@dataclass(frozen=True, slots=True)
class Look:
    """The queued message and its chat, read in one short transaction."""

    text: str
    deadline: datetime
    history: tuple[Message, ...] = ()
    skip: str = ""  # a reason not to call the model (gone, held, deadline, budget)
    kind: str = "chat"  # what the embedded path answers on a fallback: "question" or "chat"

    def but(self, skip: str) -> Look:
        return Look(self.text, self.deadline, skip=skip, kind=self.kind)


class ModelReplies:
    name = "llm-replies"

    def __init__(self, kit: WorkerKit, client: ChatClient) -> None:
        self.kit = kit
        self.client = client
        self.config: LlmConfig = kit.config.of(LlmConfig)
        self.owner = uuid.uuid4().hex
        self.wakeup = asyncio.Event()
        self.in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._vectors: dict[str, list[float]] = {}  # embedding of each knowledge-base entry, once per process
        self._db = asyncio.Semaphore(DB_SLOTS)

    async def _claim(self, limit: int) -> list[tuple[int, Look]]:
        """Lease due messages and read what answering each needs, in one short transaction."""
        if limit <= 0:
            return []
        async with self._db, self.kit.sessions.begin() as session:
            ctx: Ctx = self.kit.contexts(session)
            rows = await LlmReplyRepo(session).claim_due(now=self.kit.clock.now(), owner=self.owner, limit=limit,
                                                         lease_s=self.config.timeout_s + LEASE_MARGIN_S)
            spent = await self._spent(ctx) if rows and self.config.daily_budget_tokens else 0
            claimed = []
            for row in rows:
                customer = await session.get(Customer, row.customer_id) if row.customer_id else None
                claimed.append((row.id, await self._look(ctx.with_(customer=customer), row, customer, spent)))
            return claimed

    async def _spent(self, ctx: Ctx) -> int:
        """Tokens every replica spent today (local day)."""
        day = Window.of(ctx.local_now.date(), ctx.settings.persona.timezone)
        return await LlmReplyRepo(ctx.session).tokens_between(day.start, day.end)

    async def run_once(self) -> int:
        """Answer every queued message, concurrently, and return when all are answered (drain, tests)."""
        claimed = await self._claim(MAX_CONCURRENT)
        self.in_flight += len(claimed)
        try:
            results = await asyncio.gather(*(self.answer(i, look) for i, look in claimed), return_exceptions=True)
        finally:
            self.in_flight -= len(claimed)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(claimed)

    async def _spawn_due(self) -> int:
        claimed = await self._claim(MAX_CONCURRENT - len(self._tasks))
        for reply_id, look in claimed:
            task = asyncio.create_task(self._answer_logged(reply_id, look), name=f"llm-reply-{reply_id}")
            self._tasks.add(task)
            task.add_done_callback(self._done)
        return len(claimed)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.wakeup.set()  # room for the next claim

    async def _answer_logged(self, reply_id: int, look: Look) -> None:
        try:
            await self.answer(reply_id, look)
        except Exception:  # the row stays leased: when the lease ends, the embedded path answers it
            log.exception("llm reply failed", extra={"llm_reply_id": reply_id})

    async def run_forever(self) -> None:
        """Claim and start calls as messages come, without waiting for calls in flight."""
        try:
            await run_loop(self.name, self._spawn_due, self.wakeup, self.kit.config.worker.poll_interval_s)
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()  # their messages stay pending; the next start answers them
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- one message ----------------------------------------------------------------------------

    async def answer(self, reply_id: int, look: Look) -> None:
        """Ask the model (no database session is open meanwhile), check its answer, then reply."""
        kit, metrics = self.kit, self.kit.metrics
        plan = Plan([], "", skip=look.skip) if look.skip else await self._plan(look)
        # what is left after the embeddings, less the time writing the reply takes
        remaining = (look.deadline - kit.clock.now()).total_seconds() - min(FINISH_MARGIN_S, self.config.timeout_s / 4)
        completion: Completion | None = None
        reason = plan.skip
        started = time.monotonic()
        text = ""
        if not reason:
            try:
                completion = await self.client.complete(plan.messages, timeout_s=remaining)
            except LlmError as exc:
                reason = exc.reason
                log.info("llm call failed", extra={"llm_reply_id": reply_id, "reason": exc.reason,
                                                   "status": exc.status})
            metrics.llm_latency.observe(time.monotonic() - started)
        if completion is not None:
            metrics.llm_tokens.labels("prompt").inc(completion.prompt_tokens)
            metrics.llm_tokens.labels("completion").inc(completion.completion_tokens)
            verdict = check(completion.text, allowed=plan.allowed, truncated=completion.truncated)
            text, reason = verdict.text, verdict.reason
            if reason:
                log.info("llm answer rejected", extra={"llm_reply_id": reply_id, "reason": reason})
        if not plan.skip:
            metrics.llm_calls.labels("answered" if text else "rejected" if completion is not None else reason).inc()
        latency = None if plan.skip else time.monotonic() - started
        # a question the model did not answer gets 猜你想问 like on the embedded path (clarify.py)
        options = await plausible(self.kit.contexts.services.knowledge, self.kit.config.of(FaqConfig), look.text) \
            if not text and look.kind == "question" and reason not in ("held", "gone") else []
        await self._finish(reply_id, text, reason, completion, latency, options)

    async def _load(self, session: Any, reply_id: int) -> tuple[Ctx, LlmReply | None, Customer | None]:
        ctx: Ctx = self.kit.contexts(session)
        row = await LlmReplyRepo(session).find_held(reply_id, self.owner)
        customer = await session.get(Customer, row.customer_id) if row is not None and row.customer_id else None
        return ctx.with_(customer=customer), row, customer

    async def _look(self, ctx: Ctx, row: LlmReply, customer: Customer | None, spent: int) -> Look:
        """What the database says: may the model be asked, and the chat so far."""
        look = Look(row.text, row.deadline, kind=row.fallback)
        if customer is None:
            return look.but("gone")
        if await held_by_advisor(ctx) is not None:
            return look.but("held")
        if row.deadline <= ctx.clock.now():
            return look.but("deadline")
        if self.config.daily_budget_tokens and spent >= self.config.daily_budget_tokens:
            return look.but("budget")
        history = await ctx.repos.messages.recent(customer.id, HISTORY_MESSAGES + 1, channel="kf")
        return Look(row.text, row.deadline, history=tuple(history), kind=row.fallback)

    async def _plan(self, look: Look) -> Plan:
        persona = self.kit.contexts.persona
        entries = await self._grounding(look.text, look.deadline)
        grounding = Grounding.of(persona, entries)
        said = [m.text for m in look.history if m.direction == "in" and not m.staff_userid]
        return Plan(build_messages(persona, grounding, look.history, look.text),
                    "\n".join([grounding.allowed(), look.text, *said]))

    async def _grounding(self, text: str, deadline: datetime) -> list[FaqEntry]:
        """The closest knowledge-base entries by words, plus (with llm.embedding_model) by meaning."""
        knowledge = self.kit.contexts.services.knowledge
        entries = [m.entry for m in await knowledge.rank(text, GROUNDING_ENTRIES)]
        if not self.config.embedding_model:
            return entries
        left = (deadline - self.kit.clock.now()).total_seconds()
        try:
            by_meaning = await self._nearest(knowledge.entries, text, timeout_s=left / 3)
        except LlmError as exc:  # retrieval by words still grounds the answer
            log.info("llm embedding failed", extra={"reason": exc.reason})
            return entries
        for entry in by_meaning:
            if entry not in entries:
                entries.append(entry)
        return entries[:GROUNDING_ENTRIES + 1]

    async def _nearest(self, entries: Sequence[FaqEntry], text: str, *, timeout_s: float) -> list[FaqEntry]:
        missing = [e for e in entries if e.id not in self._vectors]
        texts = [text, *(f"{e.questions[0]}\n{e.answer}" for e in missing)]
        query, *vectors = await self.client.embed(texts, timeout_s=timeout_s)  # one call: the deadline is shared
        self._vectors.update({e.id: v for e, v in zip(missing, vectors, strict=True)})
        vectors_now = {e.id: self._vectors[e.id] for e in entries}
        # thousands of entries x hundreds of dimensions is CPU work: off the event loop
        return await asyncio.to_thread(_nearest_by_vector, query, entries, vectors_now)

    async def _finish(self, reply_id: int, text: str, reason: str, completion: Completion | None,
                      latency_s: float | None, options: list[FaqEntry]) -> None:
        """One short transaction: record the outcome and tokens, and answer (unless a person has the chat)."""
        kit = self.kit
        async with self._db, kit.sessions.begin() as session:
            ctx, row, customer = await self._load(session, reply_id)
            if row is None:  # another replica answered it after our lease ran out
                return
            if reason not in ("held", "gone") and customer is not None and await held_by_advisor(ctx) is None:
                if text:
                    await tell(ctx, customer, row.open_kfid, Say("reply.llm", {"answer": text}))
                else:
                    kit.metrics.llm_fallbacks.labels(reason).inc()
                    if options:
                        await offer(ctx, customer, row.open_kfid, row.text, options)
                    else:
                        await embedded_answer(ctx, customer, row.open_kfid, row.fallback, row.text)
                    log.info("llm fallback", extra={"llm_reply_id": reply_id, "reason": reason})
            row.status, row.outcome, row.done_at, row.text = "done", reason or "answered", kit.clock.now(), ""
            row.lease_until = row.lease_owner = None
            if completion is not None:
                row.prompt_tokens, row.completion_tokens = completion.prompt_tokens, completion.completion_tokens
            row.latency_ms = None if latency_s is None else round(latency_s * 1000)
        kit.on_outbox()


def _nearest_by_vector(query: Sequence[float], entries: Sequence[FaqEntry],
                       vectors: dict[str, list[float]]) -> list[FaqEntry]:
    return sorted(entries, key=lambda e: -_cosine(query, vectors[e.id]))[:GROUNDING_ENTRIES]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def workers(kit: WorkerKit) -> Sequence[Worker]:
    config = kit.config.of(LlmConfig)
    if not config.enabled:
        return ()
    return (ModelReplies(kit, ChatClient(config, kit.http)),)
