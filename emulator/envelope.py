"""The WeCom JSON envelope: errcode/errmsg, shaped like real answers (errors-and-limits.md §1).

Handlers raise `ApiReject(errcode)`; the API pipeline turns it into HTTP 200 with the
endpoint's default fields, exactly once, at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

MORE_INFO = "https://open.work.weixin.qq.com/devtool/query?e="

# errmsg texts: observed ones are copied from errors-and-limits.md / kf.md / community reports;
# the rest are short English renderings of the official Chinese meaning (unconfirmed wording).
ERRMSG: Mapping[int, str] = MappingProxyType({
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40008: "invalid message type",  # (unconfirmed wording)
    40013: "invalid corpid",
    40014: "invalid access_token",
    40050: "invalid group id",  # observed on groupchat/get
    40029: "invalid code",  # staff-web.md §3.1 example
    40056: "invalid agentid",  # (unconfirmed wording)
    40058: "invalid Request Parameter",  # observed on webhook/send
    40068: "invalid tagid",  # (unconfirmed wording)
    40071: "tag name already exists",  # (unconfirmed wording)
    40096: "invalid external userid",
    40126: "corp tag count out of limit",  # (unconfirmed wording)
    41001: "access_token missing",
    41004: "corpsecret missing",
    41008: "missing code",  # (unconfirmed wording)
    41009: "missing userid",  # (unconfirmed wording)
    41010: "missing url",  # (unconfirmed wording)
    41011: "missing agentid",  # (unconfirmed wording)
    41016: "missing title",  # (unconfirmed wording)
    41033: "missing description",  # (unconfirmed wording)
    41035: "missing external userid",  # (unconfirmed wording)
    41037: "missing contact way type",  # (unconfirmed wording)
    41038: "missing contact way scene",  # (unconfirmed wording)
    41039: "invalid contact way type",  # (unconfirmed wording)
    41040: "invalid contact way scene",  # (unconfirmed wording)
    41046: "missing msgid",  # (unconfirmed wording)
    41047: "invalid msgid",  # (unconfirmed wording)
    41048: "no customer to send",  # (unconfirmed wording)
    41049: "missing welcome code",  # (unconfirmed wording)
    41050: "invalid welcome code",
    41051: "externaluser has started chatting",
    41055: "group welcome template count out of limit",  # (unconfirmed wording)
    41065: "invalid attachment type",  # (unconfirmed wording)
    42001: "access_token expired",
    44004: "empty content",
    45009: "api freq out of limit",
    48002: "api forbidden",
    50001: "redirect_url not in trusted domain",  # (unconfirmed wording)
    50100: "invalid cursor",  # (unconfirmed wording)
    81013: "user & party & tag all invalid",
    82001: "all recipients empty",  # (unconfirmed wording)
    84014: "user ticket expired",  # (unconfirmed wording)
    84015: "invalid user ticket",  # (unconfirmed wording)
    84061: "not external contact",
    84090: "missing user ticket",  # (unconfirmed wording)
    91040: "invalid ticket type",  # (unconfirmed wording)
    93000: "invalid webhook url",  # (unconfirmed wording)
    95000: "invalid open_kfid",  # (unconfirmed wording)
    95001: "send msg count limit",  # (unconfirmed wording)
    95002: "send msg time limit",  # (unconfirmed wording)
    95004: "open_kfid not exist",  # (unconfirmed wording)
    95007: "invalid msg token",  # observed
    95013: "conversation end",  # observed
    95014: "user is not servicer",  # (unconfirmed wording)
    95016: "service state transition not allowed",  # (unconfirmed wording)
    95018: "send msg session status invalid",  # observed
    95019: "servicer not receiving",  # (unconfirmed wording)
    95031: "customer has not consulted within 48 hours",  # (unconfirmed wording)
})


class ApiReject(Exception):
    """A business error: the API answers HTTP 200 with this errcode instead of the payload."""

    def __init__(self, errcode: int, detail: str = "") -> None:
        super().__init__(f"{errcode} {detail}".strip())
        self.errcode = errcode
        self.detail = detail  # e.g. "markdown.content exceed max length 4096." (observed prefix style)


def errmsg(errcode: int, *, hint: str, ip: str, detail: str = "") -> str:
    text = ERRMSG.get(errcode, "invalid Request Parameter")
    if detail:
        text = f"{detail} {text}"
    return f"{text}, hint: [{hint}], from ip: {ip}, more info at {MORE_INFO}{errcode}"


def ok(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Success body: errcode and errmsg first, as WeCom orders them."""
    return {"errcode": 0, "errmsg": "ok", **payload}


def error(errcode: int, *, hint: str, ip: str, detail: str = "",
          defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Error body, keeping the endpoint's empty default fields (e.g. "follow_user": [])."""
    body: dict[str, Any] = {"errcode": errcode, "errmsg": errmsg(errcode, hint=hint, ip=ip, detail=detail)}
    for key, value in (defaults or {}).items():
        body[key] = _fresh(value)
    return body


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    return value
