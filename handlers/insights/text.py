"""Lists for staff app messages, which hold 2048 bytes: whole lines only, and a note of what was left."""

from __future__ import annotations

APP_TEXT_BYTES = 2048


def fit_lines(head: str, lines: list[str], tail: str = "", *, limit: int = APP_TEXT_BYTES) -> str:
    """`head`, as many of `lines` as fit in `limit` UTF-8 bytes, a note of those left, and `tail`."""
    kept = list(lines)

    def text() -> str:
        left = len(lines) - len(kept)
        note = [f"（另有 {left} 条未显示，控制台“客户洞察”页有完整列表）"] if left else []
        return "\n".join([head, *kept, *note, *([tail] if tail else [])])

    while kept and len(text().encode("utf-8")) > limit:
        kept.pop()
    return text()
