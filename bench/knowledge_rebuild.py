"""How long a replica takes to rebuild its knowledge index after a change, and one question against it:
`.venv/bin/python -m bench.knowledge_rebuild [N ...]` (default 100 500 entries of two phrasings).
The first build embeds every entry; a rebuild after one entry was added embeds only that entry (the
vectors of texts embedded before are kept). Both run in a thread while the old index keeps answering
(handlers/replies/knowledge.py).

`--startup N [DATABASE_URL]`: `wanzi serve` with an N-entry `faq.path` started twice on one
database (a new SQLite file, or an empty database at DATABASE_URL; the emulator as WeCom): cold
(empty knowledge_vector table), then warm (the vectors the first start kept). Each start is a new
process, so nothing is shared but the database; the figures are from the process's own log: spawn
to "knowledge base ready", and the warm-up's seconds (model load + build).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.stack import load_average, open_stack
from handlers.replies.knowledge import build_index
from persona.faq import FaqEntry
from persona.segment import Segmenter
from storage import db


def entries_of(n: int, shop: int) -> list[FaqEntry]:
    return [FaqEntry(f"kb-{i}", (f"{shop}号店第{i}号商品的保质期是多久", f"{shop}号店{i}号产品能放多长时间"),
                     f"答案{i}") for i in range(n)]


async def measure(sizes: list[int]) -> None:
    segmenter = Segmenter()
    print("| entries | first build | rebuild after one entry added | one question |")
    print("|---|---|---|---|")
    for shop, n in enumerate(sizes):
        entries = entries_of(n, shop)
        start = time.perf_counter()
        index = build_index(entries, segmenter, 0.7)
        await index.ready()
        built = time.perf_counter() - start
        start = time.perf_counter()
        index = build_index([*entries, FaqEntry("kb-new", ("新品什么时候上架",), "下周一")], segmenter, 0.7)
        await index.ready()
        rebuilt = time.perf_counter() - start
        start = time.perf_counter()
        await index.best(f"{shop}号店第57号商品保质期多久")
        asked = time.perf_counter() - start
        print(f"| {n} | {built:.1f} s | {rebuilt * 1000:.0f} ms | {asked * 1000:.1f} ms |")


def log_lines(log: Path) -> list[dict[str, object]]:
    lines = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


async def ready_line(log: Path, *, most_s: float = 900.0) -> tuple[dict[str, object], int]:
    """The "knowledge base ready" line, and how many texts the start embedded (the rows it kept)."""
    end = time.monotonic() + most_s
    while time.monotonic() < end:
        lines = log_lines(log)
        ready = [x for x in lines if x.get("msg") == "knowledge base ready"]
        if ready:
            kept = sum(int(str(x.get("rows", 0))) for x in lines if x.get("msg") == "knowledge vectors kept")
            return ready[0], kept
        await asyncio.sleep(0.2)
    raise RuntimeError(f"no knowledge base ready line in {log}")


async def startup(n: int, db_url: str = "") -> None:
    work = Path(tempfile.mkdtemp(prefix="wanzi-kbstart-"))
    faq = work / "faq.csv"
    faq.write_text("question,answer\n" + "".join(f"{'|'.join(e.questions)},{e.answer}\n" for e in entries_of(n, 7)),
                   encoding="utf-8")
    db_url = db_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    engine = db.create_engine(db_url)
    await db.upgrade(engine)  # an empty knowledge_vector table: the first start is cold
    await engine.dispose()
    stack = await open_stack(db_url, work)
    env = {"WANZI_FAQ__PATH": str(faq), "WANZI_LOG__LEVEL": "INFO", "WANZI_LOG__JSON": "true"}
    print(f"{db_url.split(':')[0]}, load average before: {load_average()}")
    print(f"| start ({n} entries, two phrasings each) | spawn to knowledge base ready | warm-up (model load + build) "
          "| texts embedded |")
    print("|---|---|---|---|")
    try:
        for run in ("cold", "warm"):
            spawned = time.time()
            bot = await stack.start_bot(run, env, migrate=False)
            line, embedded = await ready_line(bot.log)
            at = datetime.fromisoformat(str(line["ts"])).timestamp()
            print(f"| {run} | {at - spawned:.1f} s | {float(str(line['seconds'])):.1f} s | {embedded} |")
            bot.stop()
            stack.bots.remove(bot)
    finally:
        await stack.stop()
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--startup"]:
        asyncio.run(startup(int(sys.argv[2]) if len(sys.argv) > 2 else 100, *sys.argv[3:4]))
    else:
        asyncio.run(measure([int(a) for a in sys.argv[1:]] or [100, 500]))
