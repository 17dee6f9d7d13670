"""How a queued question reads to staff: pure functions of the row, shared by the queue's notices,
the console and the tickets the questions are handed to (handlers/escalation/tickets.py)."""

from __future__ import annotations

from storage.models import UnansweredQuestion


def more_of(q: UnansweredQuestion) -> list[str]:
    """What the customer added to an open question in the next messages."""
    more = (q.context or {}).get("more")
    return [str(m) for m in more] if isinstance(more, list) else []


def asked(q: UnansweredQuestion) -> str:
    """The question as staff read it: a follow-up with the question it leans on,
    "那偏远地区呢（接上一问：包邮吗）", and what the customer added: "…（补充：订单号是 T1001）"."""
    follows = (q.context or {}).get("follows")
    more = "；".join(more_of(q))
    return (f"{q.text}（接上一问：{follows}）" if follows else q.text) + (f"（补充：{more}）" if more else "")
