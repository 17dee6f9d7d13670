"""The platform's own config sections: server, WeCom, database, workers, persona, staff, logging,
console. Each validates itself (`check`); features bring their sections with them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

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

    def check(self, where: str) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"{where}.port", "must be between 0 and 65535")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"{where}.max_body_bytes", "must be at least 1024")


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
    rate_per_minute: int = 6000
    max_concurrency: int = 16
    oauth_base: str = "https://open.weixin.qq.com"  # staff sign-in inside the WeCom client (网页授权)
    login_base: str = "https://login.work.weixin.qq.com"  # staff sign-in on a desktop browser (Web登录)

    def check(self, where: str) -> None:
        if self.encoding_aes_key:
            from bot.wecom.crypto import aes_key

            aes_key(self.encoding_aes_key)
        if self.token and (len(self.token) > 32 or not self.token.isalnum()):
            raise ConfigError(f"{where}.token", "must be at most 32 letters or digits")
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

    def check(self, where: str) -> None:
        if self.outbox_max_attempts < 1:
            raise ConfigError(f"{where}.outbox_max_attempts", "must be at least 1")


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
