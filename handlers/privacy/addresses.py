"""Reward addresses kept no longer than needed ([retention] address_days).

A shipped reward's receiver, phone and address (handlers/points/shipping.py) are needed until the parcel is out
and a while after, for a lost parcel or a return; then they are personal data with no purpose left (PIPL art. 19).
The daily retention run clears them on each redemption that shipped (or was cancelled) that long ago, and the
phone and address wherever a text still quotes them: the customer's own messages, the persona's read-back, the
notices to whoever ships it, staff command lines and the audit log. A phone or address still on a redemption
that is not yet due (a later one sent to the same place) is left alone everywhere, so nothing it needs goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.points.shipping import CLEARED
from handlers.privacy.erase import scrub_values
from handlers.privacy.scrub import Needles
from storage.models import AuditLog, Base, InboundEvent, Message, OutboxItem, Redemption, StaffPending
from storage.repos.privacy import PrivacyRepo

# Where a phone or address can be quoted: what the customer wrote and was told, staff notices and command lines.
QUOTING = (Message, OutboxItem, InboundEvent, AuditLog, StaffPending)
MIN_PHONE, MIN_ADDRESS = 6, 4  # shorter pieces would rewrite unrelated texts


def _holds_one() -> ColumnElement[bool]:
    return or_(Redemption.ship_name != "", Redemption.ship_phone != "", Redemption.ship_address != "")


def _due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(_holds_one(), or_(and_(Redemption.status == "shipped", Redemption.shipped_at < cutoff),
                                  and_(Redemption.status == "cancelled", Redemption.created_at < cutoff)))


async def clear_addresses(session: AsyncSession, cutoff: datetime, *, limit: int) -> int:
    """Clear up to `limit` redemptions' receivers, phones and addresses past `cutoff`, and the texts quoting them;
    the number of redemptions cleared."""
    due = list((await session.scalars(select(Redemption).where(_due(cutoff)).order_by(Redemption.id)
                                      .limit(limit))).all())
    if not due:
        return 0
    pieces = {p for r in due for p in _pieces(r)}
    in_use = await session.execute(select(Redemption.ship_phone, Redemption.ship_address)
                                   .where(_holds_one(), Redemption.id.not_in([r.id for r in due]),
                                          or_(Redemption.ship_phone.in_(pieces), Redemption.ship_address.in_(pieces))))
    pieces -= {p for row in in_use.all() for p in row}
    await _scrub(session, sorted(pieces, key=len, reverse=True), [r.customer_id for r in due])
    for r in due:
        r.ship_name = r.ship_phone = r.ship_address = ""
        r.address_status = CLEARED
    await session.flush()
    return len(due)


def _pieces(r: Redemption) -> list[str]:
    return [p for p, least in ((r.ship_phone, MIN_PHONE), (r.ship_address, MIN_ADDRESS)) if len(p) >= least]


async def _scrub(session: AsyncSession, pieces: Sequence[str], customer_ids: list[int]) -> None:
    if not pieces:
        return
    repo, needles = PrivacyRepo(session), Needles(frozenset(), texts=tuple(pieces))
    for entity in QUOTING:
        table = Base.metadata.tables[entity.__tablename__]
        scope = None
        if entity in (Message, OutboxItem):  # their own rows and staff-side ones; other customers' chats are theirs
            scope = or_(entity.customer_id.in_(customer_ids), entity.customer_id.is_(None))
        for row in await repo.mentioning(table, pieces, scope=scope):
            changes = {k: v for k, v in scrub_values(row.values, needles, tuple(pieces)).items()
                       if v != row.values[k]}
            if changes:
                await repo.rewrite(row, changes)
