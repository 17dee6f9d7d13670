"""The top lines of a py-spy profile (`--format raw`, collapsed stacks): `python -m bench.spytop FILE [N]`.

Prints the share of samples each function is on the stack (inclusive) and at the top of the stack
(self), for the project's own code and for everything, as bench/README.md quotes them."""

from __future__ import annotations

import sys
from collections import Counter

OURS = ("bot/", "handlers/", "storage/", "persona/")


def top(path: str, n: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in open(path, encoding="utf-8"):
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():  # a frame's text broken over lines by py-spy
            continue
        samples = int(count)
        total += samples
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].split("site-packages/")[-1]
                  .split("wt-perf/")[-1] + ")" if " (" in f else f for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{total} samples"]
    lines.append("inclusive, project code:")
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common()
              if any(o in f for o in OURS)][:n]
    lines.append("self, everything:")
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in own.most_common(n)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(top(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25))
