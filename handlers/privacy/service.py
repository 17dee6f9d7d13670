"""What the CLI, the staff commands, the console and the retention job call: export and erase one
customer, each audited with who did it. Audit targets are "customer:<internal id>", never the
external_userid, so the audit trail of an erasure outlives the customer without naming them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.privacy.erase import Erasure, erase_customers
from handlers.privacy.export import export_customer
from storage.models import Customer
from storage.repos import AuditRepo
from storage.repos.privacy import PrivacyRepo


class NotFound(LookupError):
    """No customer, or several, answer to the query; the message says which (for a terminal)."""


def target(customer_id: int) -> str:
    return f"customer:{customer_id}"


async def find_one(session: AsyncSession, query: str) -> Customer:
    """The customer an external_userid, or a name or remark only one customer has, names."""
    found = await PrivacyRepo(session).find_customers(query.strip())
    if not found:
        raise NotFound(f"no customer with external_userid, name or remark {query!r}")
    if len(found) > 1:
        ids = ", ".join(c.external_userid for c in found)
        raise NotFound(f"{len(found)} customers are called {query!r}: name one by external_userid ({ids})")
    return found[0]


async def export(session: AsyncSession, customer: Customer, *, actor: str, via: str, now: datetime
                 ) -> dict[str, Any]:
    data = await export_customer(session, customer, now=now)
    AuditRepo(session).record(actor=actor, action="customer.exported", target=target(customer.id),
                              detail={"via": via}, now=now)
    return data


async def erase(session: AsyncSession, customers: Sequence[Customer], *, actor: str, via: str,
                now: datetime) -> Erasure:
    erasure = await erase_customers(session, customers, now=now)
    audit = AuditRepo(session)
    for customer_id in erasure.customer_ids:
        audit.record(actor=actor, action="customer.erased", target=target(customer_id),
                     detail={"via": via, "customers": len(erasure.customer_ids), "rows": erasure.rows}, now=now)
    return erasure
