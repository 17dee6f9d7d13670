"""Configuration: TOML file + WANZI_<SECTION>__<KEY> environment overrides, into frozen dataclasses.

Every key is documented in config.example.toml. Problems raise ConfigError naming the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, get_type_hints

from bot.errors import ConfigError

REAL_API_BASE = "https://qyapi.weixin.qq.com"
ENV_PREFIX = "WANZI_"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 256 * 1024
    timestamp_window_s: int = 300
    public_url: str = ""  # how staff reach the console in links (defaults to http://host:port)


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


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///./wanzi.db"
    echo: bool = False


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    poll_interval_s: float = 1.0
    outbox_batch: int = 20
    outbox_max_attempts: int = 8
    lease_s: float = 60.0
    inbox_batch: int = 50


@dataclass(frozen=True, slots=True)
class PersonaConfig:
    preset: str = "interest"
    path: str = ""  # a persona TOML of your own; empty = the shipped default persona
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class StaffConfig:
    """Who may run staff commands; seeded into the staff table at start-up."""

    admins: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    advisors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LogConfig:
    level: str = "INFO"
    json: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    wecom: WeComConfig = field(default_factory=WeComConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    persona: PersonaConfig = field(default_factory=PersonaConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    log: LogConfig = field(default_factory=LogConfig)
    digest: DigestConfig = field(default_factory=lambda: DigestConfig())
    console: ConsoleConfig = field(default_factory=lambda: ConsoleConfig())

    def replace(self, **sections: Any) -> Config:
        """A copy with whole sections or {section: {key: value}} updates."""
        updates = {}
        for name, value in sections.items():
            if isinstance(value, Mapping):
                value = dataclasses.replace(getattr(self, name), **value)
            updates[name] = value
        return dataclasses.replace(self, **updates)


_SECTIONS = {f.name: f.type for f in dataclasses.fields(Config)}


def _section_types() -> dict[str, type]:
    hints = get_type_hints(Config)
    return {name: hints[name] for name in _SECTIONS}


def _coerce(key: str, value: Any, typ: Any) -> Any:
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(key, f"must be true or false, got {value!r}")
    if typ is int:
        if isinstance(value, bool):
            raise ConfigError(key, f"must be an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"must be an integer, got {value!r}") from None
    if typ is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"must be a number, got {value!r}") from None
    if typ == tuple[str, ...]:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, f"must be a list of strings, got {value!r}")
        return tuple(value)
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a string, got {value!r}")
        return value
    return value


def from_mapping(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    """Build a Config from parsed TOML plus env overrides; unknown keys are errors, not typos ignored."""
    merged: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if section not in _SECTIONS:
            raise ConfigError(section, "unknown section")
        if not isinstance(values, Mapping):
            raise ConfigError(section, "must be a table")
        merged[section] = dict(values)
    for name, value in (env or {}).items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].partition("__")
        section, key = section.lower(), key.lower()
        if section in _SECTIONS:
            merged.setdefault(section, {})[key] = value
    types = _section_types()
    sections = {}
    for section, cls in types.items():
        values = merged.get(section, {})
        hints = get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{section}.{key}", "unknown key")
            kwargs[key] = _coerce(f"{section}.{key}", value, hints[key])
        sections[section] = cls(**kwargs)
    config = Config(**sections)
    validate(config)
    return config


def validate(config: Config) -> None:
    s, w, d = config.server, config.wecom, config.database
    if not 0 <= s.port <= 65535:
        raise ConfigError("server.port", "must be between 0 and 65535")
    if s.max_body_bytes < 1024:
        raise ConfigError("server.max_body_bytes", "must be at least 1024")
    if w.encoding_aes_key:
        from bot.wecom.crypto import aes_key

        aes_key(w.encoding_aes_key)
    if w.token and (len(w.token) > 32 or not w.token.isalnum()):
        raise ConfigError("wecom.token", "must be at most 32 letters or digits")
    if not w.api_base.startswith(("http://", "https://")):
        raise ConfigError("wecom.api_base", "must be an http(s) URL")
    if not d.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError("database.url", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    if config.worker.outbox_max_attempts < 1:
        raise ConfigError("worker.outbox_max_attempts", "must be at least 1")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.persona.timezone)
    except Exception:
        raise ConfigError("persona.timezone", f"unknown time zone {config.persona.timezone!r}") from None
    _validate_digest_console(config)


def require_wecom(config: Config) -> None:
    """For `serve`: the callback cannot work without these."""
    w = config.wecom
    for key in ("corp_id", "token", "encoding_aes_key"):
        if not getattr(w, key):
            raise ConfigError(f"wecom.{key}", "is required (set it in the config file or WANZI_WECOM__" + key.upper() + ")")


def config_path(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    raw = explicit or env.get("WANZI_CONFIG")
    return Path(raw) if raw else None


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config", f"file not found: {p}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config", f"{p} is not valid TOML: {exc}") from None
    return from_mapping(data, env)


# --- daily digest and web console (issue 6) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """Who gets the managers' daily digest, and when (local time in persona.timezone)."""

    send_at: str = "09:00"  # HH:MM; the digest of the previous day goes out then
    managers: tuple[str, ...] = ()  # WeCom userids who get it as an app message
    webhook: bool = False  # also post it to the group robot wecom.webhook_key


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """The staff web console at /console; it does not start without a password."""

    password: str = ""  # shared staff password (set WANZI_CONSOLE__PASSWORD); empty = console off
    session_hours: float = 12.0  # a login lasts this long
    sandbox_url: str = ""  # the emulator's chat page; set by `wanzi sandbox`, shown as 沙盒 in the console


def send_at_time(value: str) -> tuple[int, int]:
    """"09:00" → (9, 0); raises ValueError for anything else."""
    hour, sep, minute = value.partition(":")
    if not sep or not (hour.isdigit() and minute.isdigit()) or len(minute) != 2:
        raise ValueError(value)
    h, m = int(hour), int(minute)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(value)
    return h, m


def _validate_digest_console(config: Config) -> None:
    try:
        send_at_time(config.digest.send_at)
    except ValueError:
        raise ConfigError("digest.send_at", f"must be HH:MM (24 h), got {config.digest.send_at!r}") from None
    if config.digest.webhook and not config.wecom.webhook_key:
        raise ConfigError("digest.webhook", "needs wecom.webhook_key (the group robot's key)")
    c = config.console
    if c.password and len(c.password) < 8:
        raise ConfigError("console.password", "must be at least 8 characters")
    if c.session_hours <= 0:
        raise ConfigError("console.session_hours", "must be positive")
    if c.sandbox_url and not c.sandbox_url.startswith(("http://", "https://")):
        raise ConfigError("console.sandbox_url", "must be an http(s) URL")
