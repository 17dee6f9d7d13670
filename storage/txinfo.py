"""What one transaction read or wrote, kept in `session.info` under these keys and forgotten when
the transaction ends (commit, rollback, or a savepoint's rollback), so nothing a later
transaction of the same session sees comes from an earlier one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

NEWCOMERS = "wanzi.newcomers"  # storage/newcomers.py: customer id → rows flushed for them
PARKED = "wanzi.parked"  # storage/newcomers.py: newcomer id → whether orders may be parked for them
PREFETCHED_CUSTOMERS = "wanzi.prefetched_customers"  # CustomerRepo.prefetch: external_userid → Customer
STAFF_READ = "wanzi.staff_read"  # StaffRepo.find: userid → Staff or None
STAFF_ALL = "wanzi.staff_all"  # StaffRepo.list: every member, read once, filtered on their current attributes
OPEN_OFFERS = "wanzi.open_offers"  # FaqOfferRepo.find_open: customer id → their latest open offer or None
CUSTOMER_TAGS = "wanzi.customer_tags"  # TagRepo.of_customer: customer id → their tags, as read in this transaction
# storage/groupreads.py: a returning customer's facts, read once for a group of events
RULE_HITS = "wanzi.rule_hits"  # RuleHitRepo.count: customer id → (read since, [(rule, created_at)])
OPEN_TICKETS = "wanzi.open_tickets"  # TicketRepo.find_open: customer id → their open ticket or None
LAST_VARIANTS = "wanzi.last_variants"  # MessageRepo.last_variant: (customer id, template) → variant or None
INBOUND_COUNTS = "wanzi.inbound_counts"  # MessageRepo.inbound_count: customer id → messages they sent
HISTORIES = "wanzi.histories"  # MessageRepo.recent: customer id → their newest stored messages and those written since
KEYS = (NEWCOMERS, PARKED, PREFETCHED_CUSTOMERS, STAFF_READ, STAFF_ALL, OPEN_OFFERS, CUSTOMER_TAGS, RULE_HITS,
        OPEN_TICKETS, LAST_VARIANTS, INBOUND_COUNTS, HISTORIES)
# storage/newcomers.py: the session's pending rows by class (session.new, kept by the session's own
# events, so it stays right across savepoints and transactions and is never forgotten here).
PENDING = "wanzi.pending"
# storage/written.py: names of the tables written. Not forgotten with the others: a savepoint's
# rollback must not stop the record (naming a table too many only wakes a worker for nothing).
WRITTEN = "wanzi.written"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_: Any) -> None:
    for key in KEYS:
        session.info.pop(key, None)
