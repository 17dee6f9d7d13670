"""Wanzi's error tree.

WanziError
├── ConfigError         names the bad key
├── CallbackRejected    bad signature / timestamp / decrypt / XML; 4xx, never retried
│   ├── MalformedCallback   well-signed but not a callback we can read
│   └── PayloadTooLarge     body over the size limit (413)
├── ApiError(api, errcode, errmsg)   errcode != 0; .retryable for -1 / 45009 / 45033
│   ├── TokenInvalid    40014, 42001 → refresh token, retry once
│   └── RateLimited     45009 / 45033 → back off, .retry_after seconds
├── TransportError      no answer from WeCom (timeout, connection, 5xx); retryable
├── LlmError(reason)    the optional model gave no usable answer: timeout | http | bad_response
└── CommandError        staff typo etc.; message shown to the staff member
"""

from __future__ import annotations


class WanziError(Exception):
    """Base of every error Wanzi raises on purpose."""


class ConfigError(WanziError):
    """A configuration problem; the message starts with the dotted key at fault."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class CallbackRejected(WanziError):
    """A callback we refuse; answered with a 4xx status and never processed."""

    status = 400


class MalformedCallback(CallbackRejected):
    """The callback is authentic transport-wise but its content is unreadable."""


class PayloadTooLarge(CallbackRejected):
    status = 413


RETRYABLE_CODES = frozenset({-1, 45009, 45033, 41096})
TOKEN_CODES = frozenset({40014, 42001})
RATE_CODES = frozenset({45009, 45033})


class ApiError(WanziError):
    """WeCom answered with errcode != 0. Match on errcode, never on errmsg."""

    def __init__(self, api: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"{api}: errcode {errcode}: {errmsg}")
        self.api = api
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def retryable(self) -> bool:
        return self.errcode in RETRYABLE_CODES


class TokenInvalid(ApiError):
    """The access_token was rejected (40014 invalid, 42001 expired)."""

    token_used: str = ""  # which token WeCom refused, so only that one is dropped


class RateLimited(ApiError):
    """45009 frequency cap or 45033 concurrency cap; wait retry_after seconds."""

    def __init__(self, api: str, errcode: int, errmsg: str, retry_after: float = 60.0) -> None:
        super().__init__(api, errcode, errmsg)
        self.retry_after = retry_after


class TransportError(WanziError):
    """WeCom could not be reached or answered with a non-JSON / 5xx response."""

    retryable = True
    errcode = -2

    def __init__(self, api: str, reason: str) -> None:
        super().__init__(f"{api}: {reason}")
        self.api = api
        self.errmsg = reason


class CommandError(WanziError):
    """A staff command could not run; the text is shown to the staff member, followed by the command's usage
    unless `usage` is False (the command was typed right and something else stopped it)."""

    def __init__(self, text: str, *, usage: bool = True) -> None:
        super().__init__(text)
        self.usage = usage


def api_error(api: str, errcode: int, errmsg: str) -> ApiError:
    """The most specific ApiError for an errcode."""
    if errcode in TOKEN_CODES:
        return TokenInvalid(api, errcode, errmsg)
    if errcode in RATE_CODES:
        return RateLimited(api, errcode, errmsg, retry_after=60.0 if errcode == 45009 else 1.0)
    return ApiError(api, errcode, errmsg)


class LlmError(WanziError):
    """The optional LLM backend gave no answer; `reason` is a short metric label, `status` the HTTP one."""

    def __init__(self, reason: str, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(f"llm {reason}: {detail}" if detail else f"llm {reason}")
        self.reason = reason
        self.detail = detail
        self.status = status
