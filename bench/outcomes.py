"""CPU, SQL statements and function calls of recording delivery outcomes (issue 15; bot/delivery.py `_record`):

    python -m bench.outcomes [--against OTHER_TREE] [--rounds 5] [--rows 400] [--batch 3]

A SQLite file with ROWS kf answers claimed ('sending'); each round the delivery worker records them
"sent" with WeCom's answer, BATCH outcomes per transaction (the group commit's usual two to five in
a burst, bench/README.md), and the rows are put back to 'sending' (not measured). It counts this
process's CPU time (the SQLite driver's thread included), the statements and, in one more round
under cProfile, the Python function calls per outcome (deterministic). With `--against` the same
outcomes also go through OTHER_TREE's bot/delivery.py (e.g. main unpacked with
`git archive main | tar -x -C /tmp/main`), the two alternating round by round.
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


async def run(against: Path | None, rounds: int, rows: int, batch: int) -> None:
    import bot.app  # noqa: F401  (the features, in their import order)
    import bot.delivery
    from bot.clock import SystemClock
    from bot.config import WorkerConfig
    from storage import db
    from storage.models import OutboxItem

    statements = [0]
    event.listen(Engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    trees = [("this tree", bot.delivery)]
    if against is not None:
        trees.insert(0, (str(against), module_from(against, "bot/delivery.py", "other_delivery")))
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
        workers = [(name, module, module.DeliveryWorker(sessions, client, SystemClock(), WorkerConfig()))
                   for name, module in trees]
        answer = {"errcode": 0, "errmsg": "ok", "msgid": "msg"}

        async def one_round(module: Any, worker: Any) -> tuple[float, int]:
            async with sessions.begin() as s:
                await s.execute(update(OutboxItem).values(status="sending", lease_owner=None, result=None,
                                                          sent_at=None))
            cpu, count = time.process_time(), statements[0]
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
            print(f"{name}: CPU µs per outcome {cpu}; statements per outcome {figures[name][0][1] / len(ids):.2f}; "
                  f"function calls per outcome {calls / len(ids):.0f} (batches of {batch})")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, default=None, metavar="OTHER_TREE")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--batch", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.against, args.rounds, args.rows, args.batch))


if __name__ == "__main__":
    main()
