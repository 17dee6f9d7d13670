"""How long a replica takes to rebuild its knowledge index after a change, and one question against it:
`.venv/bin/python -m bench.knowledge_rebuild [N ...]` (default 100 1000 5000 entries of two phrasings).
The rebuild runs in a thread while the old index keeps answering (handlers/replies/knowledge.py)."""

from __future__ import annotations

import asyncio
import sys
import time

from handlers.replies.knowledge import build_index
from persona.faq import FaqEntry
from persona.segment import Segmenter


async def measure(sizes: list[int]) -> None:
    segmenter = Segmenter()
    segmenter.load()
    for n in sizes:
        entries = [FaqEntry(f"kb-{i}", (f"第{i}号商品的保质期是多久", f"{i}号产品能放多长时间"), f"答案{i}")
                   for i in range(n)]
        start = time.perf_counter()
        index = build_index(entries, segmenter, 0.6)
        await index.ready()
        rebuilt = time.perf_counter() - start
        start = time.perf_counter()
        await asyncio.to_thread(index.best, "第57号商品保质期多久")
        asked = time.perf_counter() - start
        print(f"| {n} | {rebuilt * 1000:.0f} ms | {asked * 1000:.1f} ms |")


if __name__ == "__main__":
    asyncio.run(measure([int(a) for a in sys.argv[1:]] or [100, 1000, 5000]))
