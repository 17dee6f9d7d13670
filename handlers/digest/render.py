"""The digest as WeCom markdown (fitted to a byte limit) and as terminal text.

WeCom cuts nothing for us: message/send refuses markdown over 2048 bytes and the group robot
over 4096. So the markdown is built as lines with priorities and, while it is too long, the
least important line goes (never half a line); the full digest stays behind the console link.
Breakdown labels can be customer words (top questions, keywords): they go through `plain`, so
the markdown shows them as words, never as a link or bold text, and a terminal gets no escapes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest_metrics import Breakdown, Metric
from bot.wecom.markdown import plain
from handlers.digest.build import Digest, Line

WEEKDAYS = "一二三四五六日"
NOT_TRACKED = "—"
APP_MARKDOWN_LIMIT = 2048  # message/send markdown.content (outbound.md §1)
WEBHOOK_MARKDOWN_LIMIT = 4096  # webhook/send markdown.content (outbound.md §2)
LABEL_CHARS = 30  # a breakdown label longer than this is cut


# --- numbers ----------------------------------------------------------------------------------


def fmt_value(metric: Metric, value: object) -> str:
    if value is None:
        return NOT_TRACKED
    if isinstance(value, Breakdown):
        return fmt_breakdown(metric, value)
    if not isinstance(value, (int, float)):
        return str(value)
    if metric.kind == "rate":
        return fmt_percent(float(value))
    if metric.kind == "seconds":
        return fmt_duration(float(value))
    return fmt_number(value)


def fmt_number(n: float) -> str:
    if isinstance(n, int) or float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def fmt_percent(share: float) -> str:
    pct = share * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 0.05 else f"{pct:.1f}%"


def fmt_duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s}秒"
    if s < 3600:
        return f"{s // 60}分{s % 60:02d}秒"
    return f"{s // 3600}小时{s % 3600 // 60:02d}分"


def fmt_breakdown(metric: Metric, value: Breakdown, limit: int = 6) -> str:
    if not value.items:
        return "无"
    shown = value.items[:limit]
    fmt = fmt_percent if metric.kind == "rate_breakdown" else fmt_number
    text = " · ".join(f"{plain(str(label), LABEL_CHARS)} {fmt(n)}" for label, n in shown)
    return text + (f" 等{len(value.items)}项" if len(value.items) > limit else "")


def fmt_change(metric: Metric, change: float | None) -> str:
    if change is None:
        return ""
    if abs(change) < 1e-9:
        return "持平"
    sign = "+" if change > 0 else "−"
    if metric.kind == "rate":
        return f"{sign}{abs(change) * 100:.1f}个百分点"
    if metric.kind == "seconds":
        return f"{sign}{fmt_duration(abs(change))}"
    return f"{sign}{fmt_number(abs(change))}"


def trend(line: Line) -> int:
    """+1 good, -1 bad, 0 neutral: the colour of the day-over-day change."""
    change = line.change
    if change is None or abs(change) < 1e-9 or line.metric.better == 0:
        return 0
    return 1 if (change > 0) == (line.metric.better > 0) else -1


def as_of(digest: Digest) -> str:
    return f"{digest.generated_at.astimezone(ZoneInfo(digest.tz)):%H:%M}"


def day_title(digest: Digest) -> str:
    d = digest.day
    return f"{d:%Y-%m-%d}（周{WEEKDAYS[d.weekday()]}）"


# --- markdown ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MdLine:
    text: str
    priority: int  # 0 = always kept
    quiet: bool = False  # nothing to tell (0, — or 无, like the days before): the first to go when space runs out


def quiet(line: Line) -> bool:
    """Nothing happened and nothing changed: 0 or no value, like the day before and the week."""
    return all(v is None or (isinstance(v, (int, float)) and abs(v) < 1e-9)
               for v in (line.value, line.previous, line.average7))


def _nothing_to_tell(line: Line) -> bool:
    """A line a reader learns nothing from beyond "it did not happen": quiet, or an empty breakdown. Below the
    headline (priority 1: new and lost friends, active customers, orders), such lines leave the markdown before
    any line with a number to tell: a sandbox day hid 积分兑换 1 and the member levels behind ten zeros."""
    if line.metric.priority <= 1:
        return False
    if isinstance(line.value, Breakdown):
        return not line.value.items
    return quiet(line)


def _md_metric(line: Line) -> str:
    m = line.metric
    if isinstance(line.value, Breakdown):
        return f"> {m.label}：{fmt_breakdown(m, line.value)}"
    parts = [f"> {m.label} **{fmt_value(m, line.value)}**"]
    if quiet(line):  # "较前日 持平 7日均 0" on every line of a quiet day pushed real lines out
        return parts[0]
    change = fmt_change(m, line.change)
    if change:
        color = {1: "info", -1: "warning", 0: "comment"}[trend(line)]
        parts.append(f'<font color="{color}">较前日 {change}</font>')
    if line.average7 is not None:
        parts.append(f'<font color="comment">7日均 {fmt_value(m, line.average7)}</font>')
    return " ".join(parts)


def markdown(digest: Digest, *, title: str = "每日简报", link: str = "", limit: int = APP_MARKDOWN_LIMIT) -> str:
    """WeCom markdown of the digest within `limit` UTF-8 bytes, dropping low-priority lines first."""
    head = [_MdLine(f"## {title} · {day_title(digest)}", 0)]
    if not digest.complete:
        head.append(_MdLine(f'<font color="warning">当天尚未结束，数字截至 {as_of(digest)}</font>', 0))
    body: list[_MdLine] = []
    pending: list[str] = []
    for label, lines in digest.groups():
        tracked = [ln for ln in lines if ln.tracked]
        pending += [ln.metric.label for ln in lines if not ln.tracked]
        if not tracked:
            continue
        body.append(_MdLine(f"**{label}**", min(ln.metric.priority for ln in tracked)))
        body += [_MdLine(_md_metric(ln), ln.metric.priority, _nothing_to_tell(ln)) for ln in tracked]
    if pending:
        body.append(_MdLine(f'<font color="comment">尚未统计（{NOT_TRACKED}）：{"、".join(pending)}</font>', 9))
    tail = [_MdLine(f"[查看完整简报与趋势图]({link})", 0)] if link else []
    return _fit(head, body, tail, limit)


def _fit(head: list[_MdLine], body: list[_MdLine], tail: list[_MdLine], limit: int) -> str:
    def text(lines: list[_MdLine], dropped: int) -> str:
        note = [f'<font color="comment">另有 {dropped} 行未显示</font>'] if dropped else []
        return "\n".join([ln.text for ln in head + lines] + note + [ln.text for ln in tail])

    kept, dropped = list(body), 0
    while len(text(kept, dropped).encode("utf-8")) > limit and kept:
        worst = max(range(len(kept)), key=lambda i: (kept[i].quiet, kept[i].priority, i))
        kept.pop(worst)
        dropped += 1
    # A group title whose lines all went is noise.
    kept = [ln for i, ln in enumerate(kept) if not _orphan_title(kept, i)]
    result = text(kept, dropped)
    if len(result.encode("utf-8")) > limit:
        raise ValueError(f"the digest's fixed lines alone exceed {limit} bytes")
    return result


def _orphan_title(lines: list[_MdLine], i: int) -> bool:
    is_title = lines[i].text.startswith("**")
    nxt = lines[i + 1].text if i + 1 < len(lines) else ""
    return is_title and not nxt.startswith(">")


# --- terminal ---------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def terminal(digest: Digest, *, title: str = "每日简报") -> str:
    """Plain text for `wanzi digest`: aligned columns, Chinese characters counted as two cells.

    The label column is as wide as the longest label (会员等级分布（当前） is 20 cells), so a long
    label never pushes its row's numbers out of line; rows carry no trailing spaces."""
    lines = [ln for _, group in digest.groups() for ln in group]
    label_w = max((_width(ln.metric.label) for ln in lines), default=0)
    value_w = max((_width(fmt_value(ln.metric, ln.value)) for ln in lines
                   if ln.tracked and not isinstance(ln.value, Breakdown)), default=0)
    out = [f"{title} · {day_title(digest)} · 时区 {digest.tz}"]
    if not digest.complete:
        out.append(f"（当天尚未结束，数字截至 {as_of(digest)}）")
    for label, group in digest.groups():
        out.append("")
        out.append(f"【{label}】")
        for ln in group:
            m = ln.metric
            if not ln.tracked:
                row = f"{_pad(NOT_TRACKED, value_w)}  尚未统计，待 {ln.pending}"
            elif isinstance(ln.value, Breakdown):
                row = fmt_breakdown(m, ln.value, limit=10)
            else:
                extra = []
                if ln.change is not None:
                    extra.append(f"较前日 {fmt_change(m, ln.change)}")
                if ln.average7 is not None:
                    extra.append(f"7日均 {fmt_value(m, ln.average7)}")
                row = f"{_pad(fmt_value(m, ln.value), value_w)}  {'，'.join(extra)}"
            out.append(f"  {_pad(m.label, label_w)}  {row}".rstrip())
    return "\n".join(out) + "\n"
