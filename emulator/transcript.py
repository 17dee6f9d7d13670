"""What each person saw: customer chats, staff app chats, robot-webhook groups, customer groups.

These are the emulator's "phones": tests assert on them and the console shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Line:
    seq: int
    at: float
    who: str  # "customer", "bot" (sent through the API), "servicer", "staff", "system"
    text: str
    via: str  # the API or action that produced it, e.g. "kf/send_msg", "customer_says"
    msgtype: str = "text"
    body: dict[str, Any] = field(default_factory=dict)


class Transcripts:
    def __init__(self) -> None:
        self._seq = 0
        self.customers: dict[str, list[Line]] = {}
        self.staff: dict[str, list[Line]] = {}
        self.groups: dict[str, list[Line]] = {}
        self.webhooks: dict[str, list[dict[str, Any]]] = {}

    def _line(self, at: float, who: str, text: str, via: str, msgtype: str,
              body: dict[str, Any] | None) -> Line:
        self._seq += 1
        return Line(self._seq, at, who, text, via, msgtype, dict(body or {}))

    def to_customer(self, ext: str, *, at: float, who: str, text: str, via: str,
                    msgtype: str = "text", body: dict[str, Any] | None = None) -> Line:
        line = self._line(at, who, text, via, msgtype, body)
        self.customers.setdefault(ext, []).append(line)
        return line

    def to_staff(self, userid: str, *, at: float, who: str, text: str, via: str,
                 msgtype: str = "text", body: dict[str, Any] | None = None) -> Line:
        line = self._line(at, who, text, via, msgtype, body)
        self.staff.setdefault(userid, []).append(line)
        return line

    def to_group(self, chat_id: str, *, at: float, who: str, text: str, via: str) -> Line:
        line = self._line(at, who, text, via, "text", None)
        self.groups.setdefault(chat_id, []).append(line)
        return line


def summarize(msgtype: str, body: dict[str, Any]) -> str:
    """A readable one-text rendering of a message object, as a phone would roughly show it."""
    if msgtype in ("text", "markdown", "markdown_v2"):
        return str(body.get("content", ""))
    if msgtype == "msgmenu":
        items = [str((item.get(item.get("type", ""), {}) or {}).get("content", ""))
                 for item in body.get("list", []) if isinstance(item, dict)]
        parts = [str(body.get("head_content", "")), *items, str(body.get("tail_content", ""))]
        return "\n".join(p for p in parts if p)
    if msgtype == "textcard":
        return f"{body.get('title', '')}\n{body.get('description', '')}".strip()
    if msgtype == "link":
        return f"[链接] {body.get('title', '')}"
    if msgtype == "miniprogram":
        return f"[小程序] {body.get('title', '')}"
    if msgtype == "news":
        return "\n".join(f"[图文] {a.get('title', '')}" for a in body.get("articles", []) if isinstance(a, dict))
    if msgtype == "location":
        return f"[位置] {body.get('name', '')}"
    labels = {"image": "[图片]", "voice": "[语音]", "video": "[视频]", "file": "[文件]",
              "template_card": "[模板卡片]", "mpnews": "[图文]"}
    return labels.get(msgtype, f"[{msgtype}]")
