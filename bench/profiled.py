"""`wanzi` under cProfile: `python -m bench.profiled OUT.prof serve` writes the profile at exit
(SIGTERM stops `serve` cleanly). The benchmarks use it when BENCH_PROFILE names a directory."""

from __future__ import annotations

import cProfile
import sys

from bot.cli import main

if __name__ == "__main__":
    profile = cProfile.Profile()
    try:
        profile.runcall(main, sys.argv[2:])
    finally:
        profile.dump_stats(sys.argv[1])
