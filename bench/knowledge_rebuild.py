"""How long a replica takes to rebuild its knowledge index after a change, and one question against it:
`.venv/bin/python -m bench.knowledge_rebuild [N ...]` (default 100 500 entries of two phrasings).
The first build embeds every entry; a rebuild after one entry was added embeds only that entry (the
vectors of texts embedded before are kept). Both run in a thread while the old index keeps answering
(handlers/replies/knowledge.py)."""

from __future__ import annotations

import asyncio
import sys
import time

from handlers.replies.knowledge import build_index
from persona.faq import FaqEntry
from persona.segment import Segmenter


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


if __name__ == "__main__":
    asyncio.run(measure([int(a) for a in sys.argv[1:]] or [100, 500]))
