"""Line charts as inline SVG, drawn on the server: no CDN, no script, readable without JavaScript.

Days without a value (a rate with nothing to divide) break the line instead of dropping to 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from bot.console.html import Safe, join, render

PALETTE = ("#e8743b", "#19a979", "#5899da", "#945ecf")
DASHES = ("", "", "6 4", "2 3")  # the third and fourth series are dashed, so lines lying on each other show
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 26


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[date, float | None]]


def nice_step(span: float, *, integer: bool, ticks: int = 4) -> float:
    """A round grid step (1, 2, 2.5 or 5 × 10^k) so `ticks` steps cover `span`; whole numbers for counts."""
    raw = span / ticks
    if raw <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * exp
        if step >= raw and (not integer or float(step).is_integer()):
            return step
    return 10 * exp


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%"
    return f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"


def line_chart(title: str, series: Sequence[Series], *, percent: bool = False) -> Safe:
    days = [d for d, _ in series[0].points] if series else []
    values = [v for s in series for _, v in s.points if v is not None]
    if not days:
        return placeholder(title, "没有数据")
    low, high = min(0.0, min(values, default=0.0)), max(0.0, max(values, default=0.0))
    step = 0.25 if percent else nice_step(high - low, integer=True)
    bottom = math.floor(low / step) * step
    lines = max(1, math.ceil((max(high, 1.0 if percent else 0.0) - bottom) / step - 1e-9))
    top = bottom + step * lines
    span = top - bottom
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(days) - 1) if len(days) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - bottom) / span)

    parts: list[Safe] = []
    for k in range(lines + 1):
        v = bottom + step * k
        parts.append(render('<line class="grid" x1="$x1" x2="$x2" y1="$y" y2="$y" stroke="#e5e5e5"/>'
                            '<text x="$tx" y="$ty" text-anchor="end" font-size="11" fill="#888">$label</text>',
                            x1=LEFT, x2=WIDTH - RIGHT, y=f"{y(v):.1f}", tx=LEFT - 6, ty=f"{y(v) + 4:.1f}",
                            label=_fmt(v, percent)))
    for i in day_ticks(len(days)):
        last = i == len(days) - 1  # the day the page is about: always labelled, and marked
        parts.append(render('<text x="$x" y="$y" text-anchor="$anchor" font-size="11" fill="$fill"$weight>'
                            '$label</text>',
                            x=f"{x(i):.1f}", y=HEIGHT - 8, label=f"{days[i]:%m-%d}",
                            anchor="end" if last and len(days) > 1 else "middle", fill="#333" if last else "#888",
                            weight=Safe(' font-weight="600"') if last else Safe("")))
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        dash = DASHES[n % len(DASHES)]  # a line lying on another (净增 = 新增 on a day nobody left) still shows
        style = render(' stroke-dasharray="$d"', d=dash) if dash else Safe("")
        for segment in _segments(s.points):
            coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            parts.append(render('<polyline class="series" points="$p" fill="none" stroke="$c" stroke-width="2"$s/>',
                                p=coords, c=color, s=style))
        for i, (d, value) in enumerate(s.points):
            if value is not None:
                parts.append(render('<circle cx="$cx" cy="$cy" r="2.5" fill="$c"><title>$t</title></circle>',
                                    cx=f"{x(i):.1f}", cy=f"{y(value):.1f}", c=color,
                                    t=f"{d:%m-%d} {s.label} {_fmt(value, percent)}"))
        parts.append(render('<line class="key" x1="$x" x2="$x2" y1="13" y2="13" stroke="$c" stroke-width="3"$s/>'
                            '<text x="$tx" y="17" font-size="12" fill="#333">$label</text>',
                            x=LEFT + n * 110, x2=LEFT + n * 110 + 18, tx=LEFT + n * 110 + 22, c=color, s=style,
                            label=s.label))
    return render('<figure class="chart-box"><figcaption>$title</figcaption>'
                  '<svg class="chart" viewBox="0 0 $w $h" width="$w" height="$h" role="img" aria-label="$title">'
                  '$parts</svg></figure>', title=title, w=WIDTH, h=HEIGHT, parts=join(parts))


def day_ticks(n: int, *, most: int = 6) -> list[int]:
    """Which of `n` days get a date under the axis: about `most`, evenly, and always the last one (the
    day shown), without a label crowding it."""
    if n <= 0:
        return []
    step = max(1, n // most)
    ticks = [i for i in range(0, n, step) if n - 1 - i >= max(1, step // 2) or i == n - 1]
    return ticks if ticks and ticks[-1] == n - 1 else [*ticks, n - 1]


def _segments(points: Sequence[tuple[date, float | None]]) -> list[list[tuple[int, float]]]:
    out: list[list[tuple[int, float]]] = [[]]
    for i, (_, v) in enumerate(points):
        if v is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append((i, float(v)))
    return [seg for seg in out if seg]


def placeholder(title: str, why: str) -> Safe:
    return render('<figure class="chart-box pending"><figcaption>$title</figcaption>'
                  '<div class="chart-pending">$why</div></figure>', title=title, why=why)
