"""The knowledge base on the evaluation set: `python -m bench.knowledge [dev|final]`.

tests/knowledge_eval holds made-up shops of different trades, each a folder with its FAQ file
(faq.toml or faq.csv), dev.csv and final.csv (QUESTIONS files, see handlers/replies/faq_eval.py),
and general/ with off-topic lines and small talk asked of every shop. The matcher was tuned on
the dev split only; the final split is the held-out figure. Prints the figures at the default
threshold, the trade-off table, the 猜你想问 figures (offered, clarify), latency per question,
start-up time and resident memory.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from bench.common import ROOT, percentile
from handlers.replies.faq_eval import Outcome, load_questions, report, run
from persona.faq import DEFAULT_CLARIFY_THRESHOLD, DEFAULT_THRESHOLD, FaqIndex, load_faq_file

EVAL = ROOT / "tests" / "knowledge_eval"


def shops() -> list[Path]:
    """The shops with questions to evaluate (teashop/ holds only the knowledge base of tests/dialogue_eval/dev25)."""
    return sorted(p for p in EVAL.iterdir() if p.is_dir() and p.name != "general" and not p.name.startswith("_")
                  and ((p / "dev.csv").exists() or (p / "final.csv").exists()))


def faq_file(shop: Path) -> Path:
    return next(p for p in (shop / "faq.toml", shop / "faq.csv") if p.exists())


def evaluate_split(split: str, latencies: list[float] | None = None) -> list[Outcome]:
    """Every shop's own questions plus the general lines, each asked of that shop's knowledge base."""
    outcomes: list[Outcome] = []
    for shop in shops():
        entries = load_faq_file(faq_file(shop))
        index = FaqIndex(entries)
        index.build()
        questions = load_questions(shop / f"{split}.csv", entries) + load_questions(EVAL / "general" / f"{split}.csv",
                                                                                   entries)
        for q in questions:
            started = time.perf_counter()
            outcomes.extend(run(index, [q]))
            if latencies is not None:
                latencies.append(time.perf_counter() - started)
    return outcomes


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(split: str) -> None:
    before = rss_mib()
    started = time.perf_counter()
    first = FaqIndex(load_faq_file(faq_file(shops()[0])))
    first.build()  # loads the model once per process and embeds one shop's entries
    startup = time.perf_counter() - started
    loaded = rss_mib()
    latencies: list[float] = []
    outcomes = evaluate_split(split, latencies)
    print(f"split {split}: {len(shops())} shops ({', '.join(s.name for s in shops())})")
    print(report(outcomes, DEFAULT_THRESHOLD, show_misses="--misses" in sys.argv,
                 clarify=DEFAULT_CLARIFY_THRESHOLD), end="")
    print(f"\nstart-up (model load + first index of {len(first.entries)} entries): {startup:.2f} s")
    print(f"RSS: {before:.0f} MiB before, {loaded:.0f} MiB with the model loaded, {rss_mib():.0f} MiB at the end")
    ms = [1000 * x for x in latencies]
    print(f"latency per question: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (one thread)")


if __name__ == "__main__":
    main(next((a for a in sys.argv[1:] if not a.startswith("--")), "dev"))
