"""CPU and SQL statements of the hand-off guard per claimed batch (issue 15; handlers/escalation/holding.py):

    python -m bench.holdguard [--against OTHER_TREE] [--rounds 5] [--claims 45]

A SQLite file with 2,000 customers, one kf answer each (1,000 of them pending) and an advisor
holding every tenth chat of the first hundred; each claim is 20 kf/send_msg rows, marked sending
as the delivery worker's claim leaves them, then `hold_while_staffed` runs in that transaction and
is rolled back. It counts this process's CPU time (the SQLite driver's thread included) and the SQL
statements of the guard's call alone, for claims where no chat is with a person and claims where
some are. With `--against` the same claims also go through OTHER_TREE's holding.py (e.g. main
unpacked with `git archive main | tar -x -C /tmp/main`), the two alternating round by round.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import module_from


def _guard_of(tree: Path) -> Any:
    return module_from(tree, "handlers/escalation/holding.py", "other_holding").hold_while_staffed


async def run(against: Path | None, rounds: int, claims: int) -> None:
    import bot.app  # noqa: F401  (the features, in their import order)
    from handlers.escalation.holding import hold_while_staffed
    from storage.models import Base, Customer, OutboxItem, Ticket

    statements = [0]
    event.listen(Engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    guards = [("this tree", hold_while_staffed)]
    if against is not None:
        guards.insert(0, (str(against), _guard_of(against)))
    now = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(prefix="wanzi-holdguard-") as tmp:
        engine = create_async_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'guard.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions.begin() as s:
            s.add_all(Customer(id=i, external_userid=f"wm{i}", first_seen_at=now, last_seen_at=now,
                               last_inbound_at=now - timedelta(minutes=5)) for i in range(1, 2001))
            s.add_all(OutboxItem(api="kf/send_msg", payload={}, kind="text", customer_id=i, due_at=now, created_at=now,
                                 status="pending" if i <= 1000 else "sent") for i in range(1, 2001))
            s.add_all(Ticket(customer_id=i, channel="kf", reason="asked_for_human", status="assigned",
                             kf_servicer="li.na", created_at=now, context={}) for i in range(1, 101, 10))
        async with sessions() as s:
            ids = list((await s.scalars(select(OutboxItem.id).order_by(OutboxItem.id))).all())
        ctx: Any = types.SimpleNamespace(clock=types.SimpleNamespace(now=lambda: now))  # what the guard reads
        print("| round | guard | claims | CPU ms per 20-row claim | statements per claim |")
        print("|---|---|---|---|---|")
        for round_ in range(1, rounds + 1):
            for name, guard in guards:
                for kind, batches in (
                        ("no chat with a person", [ids[100 + 20 * k:120 + 20 * k] for k in range(claims)]),
                        ("2 of 20 with a person", [ids[20 * (k % 5):20 * (k % 5) + 20] for k in range(claims)])):
                    cpu, count = 0.0, 0
                    for batch in batches:
                        async with sessions() as s:
                            rows = list((await s.scalars(select(OutboxItem).where(OutboxItem.id.in_(batch)))).all())
                            for row in rows:
                                row.status = "sending"
                            await s.flush()
                            ctx.session = s
                            n, c = statements[0], time.process_time()
                            await guard(ctx, rows)
                            cpu += time.process_time() - c
                            count += statements[0] - n
                            await s.rollback()
                    print(f"| {round_} | {name} | {len(batches)}, {kind} | {1000 * cpu / len(batches):.2f} | "
                          f"{count / len(batches):.2f} |")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--claims", type=int, default=45)
    args = parser.parse_args()
    asyncio.run(run(args.against, args.rounds, args.claims))


if __name__ == "__main__":
    main()
