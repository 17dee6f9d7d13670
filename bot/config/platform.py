"""The platform's own config sections: server, WeCom, database, workers, persona, staff, logging,
console. Each validates itself (`check`); features bring their sections with them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from bot import speedups
from bot.config.checks import check_zone, pairs
from bot.errors import ConfigError

REAL_API_BASE = "https://qyapi.weixin.qq.com"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 256 * 1024
    timestamp_window_s: int = 300
    public_url: str = ""  # how staff reach the console in links (defaults to http://host:port)
    intake_journal: str = ""  # a directory: acks wait for an fsync'd journal, not the database (bot/journal.py)
    ack_priority: bool = True  # the inbox makes way between transactions while callbacks queue up (bot/priority.py)
    ack_credit_s: float = 0.2  # the most making way a worker holds in hand: a burst up to about this long is waited out
    intake_fsync: bool = True  # False: the journal survives a crash of the process, not of the machine
    intake_thread: bool = False  # acks on a thread and loop of their own (bot/intake_thread.py); needs the journal
    switch_interval_ms: float = 0.0  # > 0: how long a thread may hold the GIL when another wants it (Python: 5)
    event_loop: str = "auto"  # auto | asyncio | uvloop: "auto" runs on uvloop when installed (bot/speedups.py)
    json: str = "auto"  # auto | stdlib | orjson: the JSON of WeCom API calls; "auto" uses orjson when installed

    def check(self, where: str) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"{where}.port", "must be between 0 and 65535")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"{where}.max_body_bytes", "must be at least 1024")
        if not 0.2 <= self.ack_credit_s <= 60:
            raise ConfigError(f"{where}.ack_credit_s", "must be between 0.2 (one wait's most) and 60 seconds")
        if not 0 <= self.switch_interval_ms <= 100:
            raise ConfigError(f"{where}.switch_interval_ms", "must be between 0 (Python's default) and 100")
        if self.intake_thread and not self.intake_journal:
            raise ConfigError(f"{where}.intake_thread", "needs server.intake_journal: on its own thread the "
                              "intake cannot use the database's connection, only the journal")
        speedups.check(where, self.event_loop, self.json)


@dataclass(frozen=True, slots=True)
class WeComConfig:
    corp_id: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    agent_id: int = 0
    app_secret: str = ""
    contact_secret: str = ""
    kf_secret: str = ""
    api_base: str = REAL_API_BASE
    webhook_key: str = ""
    open_kfid: str = ""
    request_timeout_s: float = 10.0
    max_retries: int = 3
    retry_base_s: float = 0.5
    rate_per_minute: int = 10_000  # WeCom's cap per corp per API (errors-and-limits.md §3)
    rate_per_hour: int = 150_000  # ditto, per hour; 0 = no hourly pacing
    max_concurrency: int = 32  # ≥ worker.outbox_batch: a claimed batch goes out in one round (bench/README.md)
    oauth_base: str = "https://open.weixin.qq.com"  # staff sign-in inside the WeCom client (网页授权)
    login_base: str = "https://login.work.weixin.qq.com"  # staff sign-in on a desktop browser (Web登录)

    def check(self, where: str) -> None:
        if self.encoding_aes_key:
            from bot.wecom.crypto import aes_key

            aes_key(self.encoding_aes_key)
        if self.token and (len(self.token) > 32 or not self.token.isalnum()):
            raise ConfigError(f"{where}.token", "must be at most 32 letters or digits")
        if self.rate_per_minute < 1:
            raise ConfigError(f"{where}.rate_per_minute", "must be at least 1")
        if self.rate_per_hour < 0:
            raise ConfigError(f"{where}.rate_per_hour", "must be 0 (no hourly pacing) or more")
        for key in ("api_base", "oauth_base", "login_base"):
            if not getattr(self, key).startswith(("http://", "https://")):
                raise ConfigError(f"{where}.{key}", "must be an http(s) URL")


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///./wanzi.db"
    echo: bool = False

    def check(self, where: str) -> None:
        if not self.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ConfigError(f"{where}.url", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    poll_interval_s: float = 1.0
    outbox_batch: int = 20
    outbox_max_attempts: int = 8
    lease_s: float = 60.0
    inbox_batch: int = 50
    deadline_call_s: float = 3.0  # one try of a deadline-bound call (welcome codes) times out after this
    heartbeat_s: float = 2.0
    dead_after_s: float = 10.0
    instance_name: str = ""  # default: host:port

    def check(self, where: str) -> None:
        if self.outbox_max_attempts < 1:
            raise ConfigError(f"{where}.outbox_max_attempts", "must be at least 1")
        if self.heartbeat_s <= 0:
            raise ConfigError(f"{where}.heartbeat_s", "must be positive")
        if self.dead_after_s < 3 * self.heartbeat_s:
            raise ConfigError(f"{where}.dead_after_s", "must be at least three heartbeats (3 × heartbeat_s)")
        if self.lease_s <= self.heartbeat_s:
            raise ConfigError(f"{where}.lease_s", "must be longer than heartbeat_s (leases are renewed each beat)")
        if not 0 < self.deadline_call_s <= 15:
            raise ConfigError(f"{where}.deadline_call_s", "must be between 0 and 15 seconds (welcome codes live 20 s)")
        if len(self.instance_name) > 128:
            raise ConfigError(f"{where}.instance_name", "must be at most 128 characters")

    @property
    def deadline_lease_s(self) -> float:
        """The lease of a deadline-bound row: one call with its timeout, plus a heartbeat to renew it."""
        return self.deadline_call_s + self.heartbeat_s


@dataclass(frozen=True, slots=True)
class PersonaConfig:
    preset: str = "interest"
    path: str = ""  # a persona TOML of your own; empty = the shipped default persona
    timezone: str = "Asia/Shanghai"

    def check(self, where: str) -> None:
        check_zone(f"{where}.timezone", self.timezone)
        if not self.path:
            from persona.loader import preset_names

            if self.preset not in preset_names():
                raise ConfigError(f"{where}.preset", f"unknown preset; shipped: {', '.join(preset_names())}")


@dataclass(frozen=True, slots=True)
class StaffConfig:
    """Who may run staff commands; the staff table follows this list at start-up."""

    admins: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    advisors: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # "userid=显示名": how the persona introduces an advisor to customers

    def check(self, where: str) -> None:
        pairs(f"{where}.names", self.names)

    def display_names(self) -> dict[str, str]:
        return pairs("staff.names", self.names)


@dataclass(frozen=True, slots=True)
class LogConfig:
    level: str = "INFO"
    json: bool = True
    callback_summary_s: float = 60.0  # accepted callbacks logged as one INFO line per this many seconds
    #                                   (each callback's own line is at DEBUG); 0 = a line per callback at INFO


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """The staff web console at /console: staff sign in with WeCom (the self-built app), or with a
    personal password where password_login is on. There is no shared password."""

    password_login: bool = False  # per-member passwords (wanzi console passwd <userid>), for a corp
    #                               without a trusted domain for WeCom sign-in
    session_hours: float = 12.0  # a session ends this long after sign-in ...
    idle_minutes: float = 120.0  # ... or after this long without a request
    listen: str = ""  # "host:port" to serve the console on its own (e.g. only on the intranet); "" = with the bot
    trusted_proxies: tuple[str, ...] = ()  # reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed
    sandbox_url: str = ""  # the emulator's chat page; set by `wanzi sandbox`, shown as 沙盒 in the console
    # The JS-SDK scripts the chat sidebar loads (staff-web.md §6): jweixin-1.2.0 (the WeCom client does
    # not support 1.6.0) and jwxwork-1.0.0, which adds wx.agentConfig. Their origins join the sidebar's
    # Content-Security-Policy; `wanzi sandbox` points both at the emulator's stand-in. "" = not loaded.
    jssdk_url: str = "https://res.wx.qq.com/open/js/jweixin-1.2.0.js"
    jwxwork_url: str = "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js"

    def check(self, where: str) -> None:
        if self.session_hours <= 0 or self.idle_minutes <= 0:
            raise ConfigError(f"{where}.session_hours", "session_hours and idle_minutes must be positive")
        for key in ("sandbox_url", "jssdk_url", "jwxwork_url"):
            value = getattr(self, key)
            if value and (not value.startswith(("http://", "https://")) or any(c in value for c in " ;'\"")):
                raise ConfigError(f"{where}.{key}", "must be an http(s) URL")
        if self.listen:
            host, sep, port = self.listen.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ConfigError(f"{where}.listen", 'must look like "10.0.0.5:8090"')
        for net in self.trusted_proxies:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ConfigError(f"{where}.trusted_proxies", f"{net!r} is not an IP address or network") from None


@dataclass(frozen=True, slots=True)
class CorpKey:
    """A key a real corp fills in, where its value comes from, and what an empty one means."""

    key: str  # "wecom.corp_id"
    source: str  # where to find the value in WeCom's admin console
    needed_for: str  # "callback": nothing works without it; "api": every API call fails; "optional"
    if_empty: str = ""

    @property
    def env(self) -> str:
        section, _, name = self.key.partition(".")
        return f"WANZI_{section.upper()}__{name.upper()}"


CORP_KEYS = (
    CorpKey("wecom.corp_id", "企业ID (ww…): 管理后台 → 我的企业 → 企业信息", "callback"),
    CorpKey("wecom.token", "callback Token: 应用管理 → your app → 接收消息 → 设置API接收", "callback"),
    CorpKey("wecom.encoding_aes_key", "callback EncodingAESKey (43 characters), on the same page", "callback"),
    CorpKey("wecom.agent_id", "AgentId of the self-built app: 应用管理 → your app", "api",
            "staff get no app messages (ticket cards, digests, command answers)"),
    CorpKey("wecom.app_secret", "Secret of the self-built app, on the same page", "api",
            "every API call fails with 41004"),
    CorpKey("wecom.contact_secret", "客户联系 → API secret, if customer contact has its own", "optional",
            "wecom.app_secret is used"),
    CorpKey("wecom.kf_secret", "微信客服 → API secret, if WeChat Customer Service has its own", "optional",
            "wecom.app_secret is used"),
    CorpKey("wecom.open_kfid", "the kf account (wk…) for pushes and broadcasts: 微信客服 → 客服账号", "optional",
            "pushes and broadcasts reach WeCom friends only, never kf customers"),
    CorpKey("server.public_url", "the https address staff reach Wanzi at; the app's 可信域名 must cover it",
            "optional", "console links and WeCom sign-in to the console use http://host:port"),
    CorpKey("staff.admins", "WeCom userids allowed every staff command", "optional",
            "nobody can run the admin commands"),
)


def corp_gaps(values: object) -> list[CorpKey]:
    """The CORP_KEYS still empty in a config (anything with the platform sections as attributes)."""
    gaps = []
    for spec in CORP_KEYS:
        section, _, name = spec.key.partition(".")
        if not getattr(getattr(values, section), name):
            gaps.append(spec)
    return gaps
