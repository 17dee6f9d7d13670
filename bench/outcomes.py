"""CPU, SQL statements and function calls of the delivery worker's bookkeeping per row (issue 15):
recording outcomes (bot/delivery.py `_record`) and, with `--claims`, claiming (storage/queues.py
`OutboxRepo.claim_due`):

    python -m bench.outcomes [--claims] [--against OTHER_TREE] [--rounds 5] [--rows 400] [--batch 3]

A SQLite file with ROWS kf answers. Outcomes: each round the delivery worker records them "sent"
with WeCom's answer, BATCH outcomes per transaction (the group commit's usual two to five in a
burst, bench/README.md). Claims: each round claims them all, BATCH rows per claim (the worker's
outbox_batch is 20). Between rounds the rows are put back (not measured). It counts this process's
CPU time (the SQLite driver's thread included), the statements and, in one more round under
cProfile, the Python function calls per row (deterministic). With `--against` the same rows also go
through OTHER_TREE's module (e.g. main unpacked with `git archive main | tar -x -C /tmp/main`), the
two alternating round by round.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from bench.common import module_from


class _NoWeCom:
    """No call is made: the outcomes are recorded as if WeCom had answered."""

    def __init__(self) -> None:
        from bot.config import WeComConfig

        self.config = WeComConfig()


async def run(against: Path | None, rounds: int, rows: int, batch: int, claims: bool) -> None:
    import bot.app  # noqa: F401  (the features, in their import order)
    import bot.delivery
    import storage.queues
    from bot.clock import SystemClock
    from bot.config import WorkerConfig
    from storage import db
    from storage.models import OutboxItem

    statements = [0]
    event.listen(Engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    path, mine = ("storage/queues.py", storage.queues) if claims else ("bot/delivery.py", bot.delivery)
    trees = [("this tree", mine)]
    if against is not None:
        trees.insert(0, (str(against), module_from(against, path, "other_" + mine.__name__.split(".")[-1])))
    now = datetime(2026, 12, 3, 10, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(prefix="wanzi-outcomes-") as tmp:
        engine = db.create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'outcomes.db'}")
        await db.upgrade(engine)
        sessions = db.session_factory(engine)
        async with sessions.begin() as s:
            s.add_all(OutboxItem(api="kf/send_msg", payload={"touser": f"wm{i}", "open_kfid": "wk1", "msgtype": "text",
                                                             "text": {"content": "您好，下单后 48 小时内发货哦"}},
                                 kind="reply", status="sending", attempts=1, due_at=now, created_at=now, last_error="")
                      for i in range(rows))
        async with sessions() as s:
            ids = list((await s.scalars(OutboxItem.__table__.select().with_only_columns(OutboxItem.id))).all())
        client = _NoWeCom()
        workers = [(name, module, None if claims else module.DeliveryWorker(sessions, client, SystemClock(),
                                                                             WorkerConfig()))
                   for name, module in trees]
        answer = {"errcode": 0, "errmsg": "ok", "msgid": "msg"}

        async def one_round(module: Any, worker: Any) -> tuple[float, int]:
            async with sessions.begin() as s:
                await s.execute(update(OutboxItem).values(status="pending" if claims else "sending", lease_owner=None,
                                                          lease_until=None, result=None, sent_at=None))
            cpu, count = time.process_time(), statements[0]
            if claims:
                taken = 1
                while taken:
                    async with sessions.begin() as s:
                        taken = len(await module.OutboxRepo(s).claim_due(now=now, lease_s=60.0, limit=batch))
                return time.process_time() - cpu, statements[0] - count
            for start in range(0, len(ids), batch):
                await worker._record([module.Outcome(i, "sent", dict(answer, msgid=f"msg{i}"))
                                      for i in ids[start:start + batch]])
            return time.process_time() - cpu, statements[0] - count

        for _, module, worker in workers:  # warm-up: statements compiled and cached
            await one_round(module, worker)
        figures: dict[str, list[tuple[float, int]]] = {name: [] for name, _, _ in workers}
        for _ in range(rounds):
            for name, module, worker in workers:
                figures[name].append(await one_round(module, worker))
        for name, module, worker in workers:
            profile = cProfile.Profile()
            profile.enable()
            await one_round(module, worker)
            profile.disable()
            calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
            cpu = ", ".join(f"{1e6 * c / len(ids):.0f}" for c, _ in figures[name])
            what = "claimed row" if claims else "outcome"
            print(f"{name}: CPU µs per {what} {cpu}; statements per {what} {figures[name][0][1] / len(ids):.2f}; "
                  f"function calls per {what} {calls / len(ids):.0f} (batches of {batch})")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, default=None, metavar="OTHER_TREE")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--batch", type=int, default=0, help="rows per transaction (default 3, with --claims 20)")
    parser.add_argument("--claims", action="store_true", help="measure the claims instead of the outcomes")
    args = parser.parse_args()
    asyncio.run(run(args.against, args.rounds, args.rows, args.batch or (20 if args.claims else 3), args.claims))


if __name__ == "__main__":
    main()
