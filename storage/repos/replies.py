"""Questions the persona could not answer, the runtime knowledge base and its revision, the
question notices' watermarks and the entries offered when the persona was not sure (猜你想问)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import groupreads, newcomers
from storage.models import FaqOffer, KnowledgeEntry, KnowledgeRevision, QuestionNotice, UnansweredQuestion
from storage.txinfo import OPEN_OFFERS

OPEN = "open"
ANSWERED = "answered"
CLOSED = "closed"  # a member decided it needs no answer (spam, a duplicate, settled elsewhere)
HANDED = "handed"  # the customer asked for a person: it went with the chat into their ticket


class UnansweredRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int | None, text: str, *, now: datetime, best_faq: str = "",
            confidence: float = 0.0, open_kfid: str = "",
            context: dict[str, Any] | None = None) -> UnansweredQuestion:
        row = UnansweredQuestion(customer_id=customer_id, text=text, best_faq=best_faq[:64], confidence=confidence,
                                 status=OPEN, created_at=now, open_kfid=open_kfid, context=context, answer="",
                                 answered_by="", delivery="")
        self.session.add(row)
        return row

    async def find(self, question_id: int, *, lock: bool = False) -> UnansweredQuestion | None:
        """`lock`: hold the row until the transaction ends (PostgreSQL), so two members answering at
        once in two replicas cannot both send; the second then sees it answered."""
        if not lock:
            return await self.session.get(UnansweredQuestion, question_id)
        return await self.session.scalar(select(UnansweredQuestion).where(UnansweredQuestion.id == question_id)
                                         .with_for_update().execution_options(populate_existing=True))

    async def open(self, *, limit: int = 200) -> list[UnansweredQuestion]:
        """Open questions, oldest first."""
        return list((await self.session.scalars(
            select(UnansweredQuestion).where(UnansweredQuestion.status == OPEN)
            .order_by(UnansweredQuestion.id).limit(limit))).all())

    async def open_of(self, customer_id: int, *, limit: int = 5) -> list[UnansweredQuestion]:
        """The customer's open questions, oldest first (the newest `limit`)."""
        rows = (await self.session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.customer_id == customer_id, UnansweredQuestion.status == OPEN)
            .order_by(UnansweredQuestion.id.desc()).limit(limit))).all()
        return list(reversed(rows))

    async def get_many(self, ids: Sequence[int]) -> list[UnansweredQuestion]:
        return list((await self.session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_(list(ids))).order_by(UnansweredQuestion.id))).all())

    async def find_by_answer(self, outbox_id: int) -> UnansweredQuestion | None:
        """The question whose answer went out in this outbox row."""
        return await self.session.scalar(select(UnansweredQuestion).where(
            UnansweredQuestion.answer_outbox_id == outbox_id).limit(1))

    async def promised_open(self, customer_id: int) -> bool:
        """Whether the customer has an open question the persona promised a colleague would answer
        (`context.promised`: someone was there to keep it; an honest "I don't know yet" is no promise)."""
        contexts = await self.session.scalars(select(UnansweredQuestion.context).where(
            UnansweredQuestion.customer_id == customer_id, UnansweredQuestion.status == OPEN)
            .order_by(UnansweredQuestion.id.desc()).limit(20))
        return any(isinstance(c, dict) and c.get("promised") for c in contexts)

    async def latest_open(self, customer_id: int, *, since: datetime) -> UnansweredQuestion | None:
        """The customer's newest open question asked at or after `since` (this transaction's unflushed
        rows included, without a flush)."""
        pending = [q for q in self.session.new if isinstance(q, UnansweredQuestion) and q.customer_id == customer_id
                   and q.status == OPEN and q.created_at >= since]
        if pending:
            return pending[-1]
        with self.session.no_autoflush:
            return await self.session.scalar(select(UnansweredQuestion).where(
                UnansweredQuestion.customer_id == customer_id, UnansweredQuestion.status == OPEN,
                UnansweredQuestion.created_at >= since).order_by(UnansweredQuestion.id.desc()).limit(1))

    async def count_open(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(UnansweredQuestion)
                                             .where(UnansweredQuestion.status == OPEN)) or 0)

    async def settled_since(self, since: datetime, *, limit: int = 50) -> list[UnansweredQuestion]:
        """Questions answered, closed or settled in a ticket since `since`, latest first."""
        return list((await self.session.scalars(
            select(UnansweredQuestion).where(UnansweredQuestion.status.in_((ANSWERED, CLOSED, HANDED)),
                                             UnansweredQuestion.answered_at >= since)
            .order_by(UnansweredQuestion.answered_at.desc()).limit(limit))).all())


class KnowledgeRepo:
    """Runtime FAQ entries and the revision every replica compares its index against."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revision(self) -> int:
        return int(await self.session.scalar(select(KnowledgeRevision.revision).where(KnowledgeRevision.id == 1))
                   or 0)

    async def bump(self, *, now: datetime) -> int:
        """A new revision, in the caller's transaction: replicas rebuild once it is committed."""
        await self.session.execute(update(KnowledgeRevision).where(KnowledgeRevision.id == 1)
                                   .values(revision=KnowledgeRevision.revision + 1, changed_at=now))
        return await self.revision()

    async def active(self) -> list[KnowledgeEntry]:
        return list((await self.session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.status == "active")
                                                .order_by(KnowledgeEntry.id))).all())

    async def all(self, *, limit: int = 500) -> list[KnowledgeEntry]:
        return list((await self.session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.id.desc())
                                                .limit(limit))).all())

    async def find(self, entry_id: int) -> KnowledgeEntry | None:
        return await self.session.get(KnowledgeEntry, entry_id)

    async def add(self, questions: Sequence[str], answer: str, *, now: datetime, created_by: str,
                  source: str = "console", question_id: int | None = None,
                  keywords: Sequence[str] = ()) -> KnowledgeEntry:
        row = KnowledgeEntry(questions=list(questions), answer=answer, keywords=list(keywords), status="active",
                             source=source, question_id=question_id, created_by=created_by, created_at=now,
                             updated_at=now)
        self.session.add(row)
        await self.session.flush()
        await self.bump(now=now)
        return row


class QuestionNoticeRepo:
    """Per member: when they were last told about open questions and up to which question."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, userids: Sequence[str]) -> dict[str, QuestionNotice]:
        if not userids:
            return {}
        rows = await self.session.scalars(select(QuestionNotice).where(QuestionNotice.staff_userid.in_(userids)))
        return {r.staff_userid: r for r in rows}

    def record(self, found: QuestionNotice | None, userid: str, *, now: datetime, last_question_id: int) -> None:
        if found is None:
            self.session.add(QuestionNotice(staff_userid=userid, sent_at=now, last_question_id=last_question_id))
        else:
            found.sent_at, found.last_question_id = now, max(found.last_question_id, last_question_id)


class FaqOfferRepo:
    """猜你想问: at most one open offer per customer (a new one settles the old); settled rows stay for the digest."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_open(self, customer_id: int, *, since: datetime) -> FaqOffer | None:
        """The customer's open offer made at or after `since` (an older one has lapsed).

        Every customer message asks this, and nearly always there is none: a newcomer's answer comes
        from the session (storage/newcomers.py); for the others, the first ask of a transaction also
        reads the open offers of the customers the inbox prefetched for the same group of events, in
        one statement, and each answer is kept until the transaction ends (`add` and `settle_open`,
        the only writers, keep it current)."""
        mine = newcomers.rows_of(self.session, FaqOffer, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own offers exist
            live = [o for o in mine if o.status == OPEN]
            offer = max(live, key=lambda o: (o.offered_at, o.id or 0), default=None)
        else:
            known = self._known()
            if customer_id not in known:
                await self._read_open(set(groupreads.group(self.session, customer_id, known)))
            offer = known[customer_id]
        return offer if offer is not None and offer.status == OPEN and offer.offered_at >= since else None

    def _known(self) -> dict[int, FaqOffer | None]:
        known: dict[int, FaqOffer | None] = self.session.info.setdefault(OPEN_OFFERS, {})
        return known

    async def _read_open(self, customer_ids: set[int]) -> None:
        known = self._known()
        stmt = (select(FaqOffer).where(FaqOffer.customer_id.in_(sorted(customer_ids)), FaqOffer.status == OPEN)
                .order_by(FaqOffer.offered_at, FaqOffer.id))
        found = {row.customer_id: row for row in (await self.session.scalars(stmt)).all()}  # the latest wins
        for customer_id in customer_ids:
            known[customer_id] = found.get(customer_id)

    async def add(self, customer_id: int, question: str, options: Sequence[str], *, open_kfid: str,
                  now: datetime) -> FaqOffer:
        await self.settle_open(customer_id, "dropped", now=now)
        row = FaqOffer(customer_id=customer_id, question=question, options=list(options), open_kfid=open_kfid,
                       status=OPEN, offered_at=now)
        self.session.add(row)
        self._known()[customer_id] = row
        return row

    async def settle_open(self, customer_id: int, status: str, *, now: datetime) -> None:
        """Every open offer of the customer ends as `status` (resolved | declined | dropped)."""
        await self.session.execute(update(FaqOffer).where(FaqOffer.customer_id == customer_id,
                                                          FaqOffer.status == OPEN)
                                   .values(status=status, settled_at=now))
        self._known()[customer_id] = None
