"""CPU and SQL statements per event on the hot paths, in one process, independent of the machine's load:

    python -m bench.perevent [welcome] [kf] [worded] [returning] [help] [mixed] [--events N] [--sql] [--profile PREFIX]
                             [--latency S] [--yield] [--loop asyncio|uvloop]

The bot (workers off) and the emulator (no API latency) run in this process on a fresh SQLite file.
N events are first taken in through the callback endpoint (the intake phase: the emulator sealing and posting them
included, one at a time; `returning`: kf questions of
customers who asked once before, that first round processed unmeasured; `worded`: kf questions each in
other words, tests/knowledge_eval's, so none is embedded twice); then the inbox processes
them all (`InboxWorker.process_due` until nothing is due) and then the delivery worker sends what
they queued, each phase measured apart: this process's CPU time (all threads, so the SQLite
driver's thread counts) and every SQL statement the engine ran. The delivery phase includes the
emulator's own CPU for answering the calls. After the warm-up the start-up heap is frozen, as
`wanzi serve` does (a full collection walking the model took 0.1-0.2 s and fell into a phase at
random). The ceiling benchmarks (bench/ceiling.py) measure the same paths end to end under load;
this one says whether a lever cut the work per event. With
`--latency S` WeCom answers the delivery phase after S seconds, and the phase's rows per second of
wall clock show how far delivery's concurrency carries (WANZI_* variables override settings). With
`--yield` the inbox ends every shared transaction after its first group of events, as it does in a
live burst whenever acks or the delivery worker wait for SQLite's connection (bot/inbox.py `yield_to`)."""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import functools
import gc
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot import speedups

QUESTION = "下单后多久发货"  # a knowledge-base question of the demo FAQ (persona/faq.toml)
STAFF = ("zhang.wei", "li.na", "wang.fang", "chen.jing")
EVAL = Path(__file__).resolve().parent.parent / "tests" / "knowledge_eval"


@functools.cache
def worded() -> list[str]:
    """Every distinct customer question of the knowledge evaluation (about 500), in a fixed order."""
    texts = (row.split(",")[0] for path in sorted(EVAL.glob("*/*.csv")) if path.stem in ("dev", "final")
             for row in path.read_text(encoding="utf-8").splitlines()[1:])
    return list(dict.fromkeys(t for t in texts if t))


class Statements:
    """Counts the SQL statements every engine of this process runs (an executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0
        self.texts: Counter[str] = Counter()
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        self.texts[" ".join(statement.split())[:110]] += 1


async def measure(kind: str, n: int, statements: Statements, show_sql: bool = False,
                  profile_to: str = "", latency_s: float = 0.0, yielding: bool = False) -> dict[str, float]:
    from aiohttp import web

    from bot.app import create_app, load_config
    from bot.appkeys import CONTEXTS, DELIVERY, INBOX, INSTANCE
    from bot.sandbox import as_env, emulator_settings
    from emulator import Emulator, EmulatorConfig
    from handlers.wiring import warm_up

    emu = Emulator(EmulatorConfig(api_latency_s=0.0, app_msg_per_member_per_minute=10**9))
    await emu.start()
    with tempfile.TemporaryDirectory(prefix="wanzi-perevent-") as tmp:
        settings = emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=0,
                                     db_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}")
        settings["log"]["level"] = "WARNING"
        env = as_env(settings)
        env.update({k: v for k, v in os.environ.items() if k.startswith("WANZI_")})  # e.g. a setting to compare
        config = load_config(None, env)
        app = create_app(config, run_workers=False, migrate=True)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        emu.connect(f"http://127.0.0.1:{port}/wecom/callback")
        inbox, delivery = app[INBOX], app[DELIVERY]
        if yielding:  # somebody always waits: transactions of one group (EVENTS_BEFORE_YIELD) each
            inbox.yield_to = lambda: True
        profile = cProfile.Profile(time.thread_time) if profile_to else None  # CPU, not waits
        try:
            # start-up's warm-up, as `wanzi serve` runs it (bot/app.py warm_up_then_freeze): the knowledge
            # index and the example sentences (feelings, reactions). Without it the first text that
            # needs an example model starts its build in the background, and that build's embedding
            # ran into the measured intake phase (worded: ~3 ms per event that is no intake's work).
            await warm_up(app[CONTEXTS].services)
            await _offer(emu, kind, 0)  # warm-up: jieba, first compilations
            await _process(inbox.process_due)
            await _process(delivery.deliver_due)
            gc.collect()  # as `wanzi serve` does after its warm-up (bot/app.py warm_up_then_freeze): a full
            gc.freeze()  # collection walking the model's objects would land in a phase at random
            tag = f"{int(time.time() * 1000) % 100000:05d}"
            if kind == "returning":  # the same customers asked once before (not measured)
                for i in range(n):
                    await _offer(emu, kind, i + 1, tag)
                await _process(inbox.process_due)
                await _process(delivery.deliver_due)
            out: dict[str, float] = {}
            cpu, count = time.process_time(), statements.count
            if profile:
                profile.enable()
            for i in range(n):  # the intake: the emulator seals and posts, the endpoint verifies and stores
                await _offer(emu, kind, i + 1, tag)
            if profile:
                profile.disable()
                profile.dump_stats(f"{profile_to}.{kind}.intake.prof")
                profile.clear()
            out["intake CPU ms/event"] = 1000 * (time.process_time() - cpu) / n
            out["intake statements/event"] = (statements.count - count) / n
            await app[INSTANCE].beat()
            for phase, step in (("inbox", inbox.process_due), ("delivery", delivery.deliver_due)):
                if phase == "delivery" and latency_s:  # WeCom's answers take this long from here on
                    emu.config = dataclasses.replace(emu.config, api_latency_s=latency_s)
                cpu, count, texts = time.process_time(), statements.count, statements.texts.copy()
                started = time.monotonic()
                if profile:
                    profile.enable()
                await _process(step)
                if profile:
                    profile.disable()
                    profile.dump_stats(f"{profile_to}.{kind}.{phase}.prof")
                    profile.clear()
                out[f"{phase} CPU ms/event"] = 1000 * (time.process_time() - cpu) / n
                out[f"{phase} statements/event"] = (statements.count - count) / n
                if phase == "delivery" and latency_s:
                    out["delivery rows/s (wall clock)"] = n / (time.monotonic() - started)
                if show_sql:
                    for text, times in (statements.texts - texts).most_common():
                        print(f"  {phase} {times / n:6.2f}  {text}")
            return out
        finally:
            gc.unfreeze()
            await runner.cleanup()
            await emu.stop()


async def _offer(emu: Any, kind: str, i: int, tag: str = "warm") -> None:
    if kind == "mixed":  # as bench/ceiling.py's mix: half kf questions, a quarter new friends, a quarter /help
        kind = ("kf", "kf", "welcome", "help")[i % 4]
    if kind == "welcome":
        await emu.add_friend(STAFF[i % len(STAFF)], f"wmP{tag}{i:06d}", state="burst")
    elif kind in ("kf", "returning"):
        await emu.customer_says(f"wmQ{tag}{i:06d}", QUESTION)
    elif kind == "worded":
        questions = worded()
        await emu.customer_says(f"wmQ{tag}{i:06d}", questions[i % len(questions)])
    else:
        await emu.staff_sends(STAFF[i % len(STAFF)], "/help")


async def _process(step: Any) -> None:
    idle = 0
    while idle < 2:  # kf notices pull first, then their entries are due
        idle = idle + 1 if not await step() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", default=["welcome", "kf", "help"])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--sql", action="store_true", help="list each phase's statements per event")
    parser.add_argument("--latency", type=float, default=0.0, metavar="S",
                        help="the emulator answers the delivery phase's calls after S seconds; prints rows/s")
    parser.add_argument("--profile", default="", metavar="PREFIX",
                        help="cProfile each phase (the event loop's thread) into PREFIX.KIND.PHASE.prof")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="the event loop (the emulator's too: it runs in this process); WANZI_SERVER__JSON=orjson "
                             "gives the bot's WeCom client orjson")
    parser.add_argument("--yield", dest="yielding", action="store_true",
                        help="the inbox's shared transactions end after one group, as in a live burst")
    args = parser.parse_args()
    statements = Statements()
    for kind in args.kinds:
        figures = speedups.run(measure(kind, args.events, statements, args.sql, args.profile, args.latency,
                                       args.yielding), args.loop)
        print(f"{kind} ({args.events} events): " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
