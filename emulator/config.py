"""Settings of one fake WeCom corp: identities, secrets, demo people and every limit we model.

Defaults reuse the made-up credentials of shared/wecom/crypto.md §9 (corp id, Token,
EncodingAESKey, agent id), so the documented test vectors work against a default emulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.wecom.crypto import CallbackCrypto

DAY = 86_400


def _default_secrets() -> dict[str, str]:
    return {
        "app": "AppSecretDemoWanzi0000000000000000000000001",
        "contact": "ContactSecretDemoWanzi000000000000000000002",
        "kf": "KfSecretDemoWanzi00000000000000000000000003",
    }


def _default_staff() -> dict[str, str]:
    return {"zhang.wei": "张伟", "li.na": "李娜", "wang.fang": "王芳", "chen.jing": "陈静"}


def _default_kf_accounts() -> dict[str, str]:
    return {"wkWanziDemoKf01": "丸子小助手"}


def _default_corp_tags() -> dict[str, tuple[str, ...]]:
    return {"客户来源": ("展会", "线上广告", "老客推荐"), "意向程度": ("高意向", "观望中")}


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    """Everything that makes one emulated corp; tests override a field or two."""

    corp_id: str = "ww0123456789abcdef"
    agent_id: int = 1000002
    # secret kind -> corpsecret; one access_token per secret (customer-contact.md §4)
    secrets: Mapping[str, str] = field(default_factory=_default_secrets)
    callback_token: str = "TestToken2025"
    encoding_aes_key: str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    staff: Mapping[str, str] = field(default_factory=_default_staff)  # userid -> display name
    kf_accounts: Mapping[str, str] = field(default_factory=_default_kf_accounts)  # open_kfid -> name
    kf_servicers: tuple[str, ...] = ("li.na", "wang.fang")  # receptionists of every kf account…
    # …unless listed here: open_kfid -> its own receptionists (kf/servicer/list, 95014 for others)
    kf_account_servicers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    corp_tags: Mapping[str, tuple[str, ...]] = field(default_factory=_default_corp_tags)
    webhook_keys: tuple[str, ...] = ("2f8c4a1e-5b7d-4c3a-9e6f-1a2b3c4d5e6f",)
    # channel `state` values the console offers when a tester adds a friend (the sandbox sets its
    # channels here); states of add_contact_way configs the bot created are offered too
    channel_states: tuple[str, ...] = ()
    # WeChat users get a `unionid` only when the corp bound a WeChat Open Platform account (doc 92114)
    open_platform_bound: bool = False

    # staff sign-in and the JS-SDK (staff-web.md). The app's 可信域名 / Web-login 授权回调域: an entry
    # is a host, matched with no explicit port only, or host:port, matched exactly (doc 90313, 50001).
    # "host:*" (any port) is an emulator-only leniency for localhost sandboxes: real trusted
    # domains may carry neither an IP nor a port (doc 90313, 80001).
    trusted_domains: tuple[str, ...] = ("127.0.0.1:*", "localhost:*")
    sidebar_url: str = ""  # the bot's chat-toolbar page, shown beside the chat in the console
    # POSTs to /console/api/* from clients that send no Origin, Referer nor Sec-Fetch-Site (scripts,
    # not browsers) pass unless this is set; browser requests must always be same-origin
    console_origin_required: bool = False

    # frequency limits (errors-and-limits.md §3, outbound.md §2, kf.md §2)
    api_per_minute: int = 10_000
    api_per_hour: int = 150_000
    webhook_per_minute: int = 20
    sync_msg_without_token_per_minute: int = 10
    app_msg_per_member_per_minute: int = 30  # excess is dropped silently (outbound.md §1)
    # seconds every API answer waits before it is sent (qyapi from a server in mainland China answers
    # in about 50 ms; benchmarks set 0.05 so concurrency and batching are measured against it)
    api_latency_s: float = 0.0

    # callback delivery (callbacks.md §4: count and spacing are unconfirmed, hence configurable)
    callback_timeout: float = 5.0
    callback_retries: int = 3
    callback_retry_delay: float = 1.0

    # lifetimes, in seconds
    token_ttl: int = 7200
    oauth_code_ttl: int = 300  # single use, 5 minutes (doc 96442)
    user_ticket_ttl: int = 1800  # snsapi_privateinfo user_ticket (doc 96442)
    jsapi_ticket_ttl: int = 7200  # corp and agent tickets (doc 14924)
    # ticket fetches per hour: 400 per corp, 100 per app (doc 14924; the same assumed for the agent
    # ticket, and 45009 on overflow, both unconfirmed)
    jsapi_tickets_per_hour_corp: int = 400
    jsapi_tickets_per_hour_app: int = 100
    welcome_code_ttl: int = 20
    kf_token_ttl: int = 600
    kf_retention: int = 3 * DAY
    kf_window: int = 2 * DAY
    kf_window_messages: int = 5
    kf_welcome_code_ttl: int = 20
    kf_end_code_ttl: int = 20
    kf_wait_code_ttl: int = 2 * DAY
    # kf.md §6: whether the API may end a session from state 0/1 is unconfirmed
    kf_bot_may_end_session: bool = False

    mass_quota_per_month: int | None = None  # None = days in the current month (customer-contact.md §10)
    seed: int | None = None  # makes generated ids reproducible

    def crypto(self) -> CallbackCrypto:
        """The callback crypto WeCom uses for this corp (ReceiveId = CorpID)."""
        return CallbackCrypto(self.callback_token, self.encoding_aes_key, self.corp_id)
