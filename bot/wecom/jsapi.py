"""The JS-SDK signature a page passes to wx.config / wx.agentConfig (shared/wecom/staff-web.md §5).

SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, in this order and unencoded; `url` is
the page's full URL cut at the first '#'; `timestamp` in seconds (doc 14924). Signed on the server
only: the ticket never reaches the page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TICKET_KINDS = ("corp", "agent")  # get_jsapi_ticket (wx.config) | ticket/get?type=agent_config (wx.agentConfig)


def signed_url(url: str) -> str:
    """What a page signs: its URL up to the first '#' (a signed fragment fails with 40093)."""
    return url.split("#", 1)[0]


def signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={signed_url(url)}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Signed:
    """The three values wx.config / wx.agentConfig take (`nonceStr` camel-case on the JS side)."""

    timestamp: int
    nonce_str: str
    signature: str

    def as_js(self) -> dict[str, object]:
        return {"timestamp": self.timestamp, "nonceStr": self.nonce_str, "signature": self.signature}


def sign(ticket: str, url: str, *, now: float, nonce: str | None = None) -> Signed:
    nonce = nonce or secrets.token_hex(8)
    timestamp = int(now)
    return Signed(timestamp, nonce, signature(ticket, nonce, timestamp, url))
