"""Every API request the bot made, recorded before any check so tests can assert on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

API_PREFIX = "/cgi-bin/"


@dataclass(slots=True)
class RecordedCall:
    index: int
    method: str
    path: str  # e.g. "/cgi-bin/externalcontact/send_welcome_msg"
    query: dict[str, str]
    body: Any  # parsed JSON, or None when absent or unreadable
    raw: str  # the body as text, for unreadable JSON
    at: float  # emulator clock
    status: int = 0
    response: dict[str, Any] | None = field(default=None)

    @property
    def api(self) -> str:
        """The path after /cgi-bin/, e.g. "kf/sync_msg"."""
        return self.path[len(API_PREFIX):] if self.path.startswith(API_PREFIX) else self.path

    @property
    def errcode(self) -> int | None:
        return self.response.get("errcode") if self.response else None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.errcode == 0


class CallLog:
    """Append-only list of recorded calls; `find("kf/send_msg")` matches by path suffix."""

    def __init__(self) -> None:
        self._calls: list[RecordedCall] = []

    def record(self, method: str, path: str, query: dict[str, str], body: Any, raw: str,
               at: float) -> RecordedCall:
        call = RecordedCall(len(self._calls), method, path, query, body, raw, at)
        self._calls.append(call)
        return call

    def find(self, path_suffix: str = "") -> list[RecordedCall]:
        return [c for c in self._calls if c.path.endswith(path_suffix)]

    def since(self, index: int) -> list[RecordedCall]:
        return self._calls[index:]

    def clear(self) -> None:
        self._calls.clear()

    def __len__(self) -> int:
        return len(self._calls)
