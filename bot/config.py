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
    # community operations (issue 4); the classes are defined at the end of this module
    community: CommunityConfig = field(default_factory=lambda: CommunityConfig())
    checkin: CheckinConfig = field(default_factory=lambda: CheckinConfig())
    points: PointsConfig = field(default_factory=lambda: PointsConfig())
    referral: ReferralConfig = field(default_factory=lambda: ReferralConfig())

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


# --- community operations (issue 4): interest-group topics, check-ins, points, referrals -------
# Sections defined after Config; Config refers to them lazily. Lists of tables (groups, topics,
# campaigns, levels, tiers) are parsed into typed specs here, so a typo names its key at start-up.


def parse_hhmm(key: str, value: str) -> int:
    """'HH:MM' as minutes after midnight."""
    hh, sep, mm = value.partition(":")
    if not sep or not (hh.isdigit() and mm.isdigit()) or not (0 <= int(hh) <= 24 and 0 <= int(mm) < 60) \
            or int(hh) * 60 + int(mm) > 24 * 60:
        raise ConfigError(key, f"must be a time HH:MM, got {value!r}")
    return int(hh) * 60 + int(mm)


def parse_window(key: str, value: str) -> tuple[int, int]:
    """'HH:MM-HH:MM' as (start, end) minutes; end before start means the window spans midnight."""
    start, sep, end = value.partition("-")
    if not sep:
        raise ConfigError(key, f"must be a window HH:MM-HH:MM, got {value!r}")
    return parse_hhmm(key, start.strip()), parse_hhmm(key, end.strip())


def _check_date(key: str, value: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigError(key, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _check_cron(key: str, value: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ConfigError(key, f"must be a 5-field cron expression (minute hour day month weekday): {exc}") from None


def _table_list(key: str, value: Any, cls: type) -> tuple[Any, ...]:
    """A TOML list of tables as a tuple of `cls` specs, every key checked and coerced."""
    if isinstance(value, tuple) and all(isinstance(v, cls) for v in value):
        return value
    if not isinstance(value, (list, tuple)):
        raise ConfigError(key, "must be a list of tables")
    hints = get_type_hints(cls)
    fields_ = dataclasses.fields(cls)
    required = {f.name for f in fields_
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    out = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(where, "must be a table")
        kwargs = {}
        for name, raw in item.items():
            if name not in hints:
                raise ConfigError(f"{where}.{name}", "unknown key")
            kwargs[name] = _spec_value(f"{where}.{name}", raw, hints[name])
        missing = sorted(required - kwargs.keys())
        if missing:
            raise ConfigError(f"{where}.{missing[0]}", "is required")
        out.append(cls(**kwargs))
    return tuple(out)


def _spec_value(key: str, value: Any, typ: Any) -> Any:
    args = getattr(typ, "__args__", ())
    if len(args) == 2 and args[1] is Ellipsis and dataclasses.is_dataclass(args[0]):
        return _table_list(key, value, args[0])
    return _coerce(key, value, typ)


def _tables(section: str, obj: Any) -> None:
    """Turn raw lists of tables on a frozen section into typed specs (called from __post_init__)."""
    for name, typ in get_type_hints(type(obj)).items():
        args = getattr(typ, "__args__", ())
        if len(args) == 2 and args[1] is Ellipsis and dataclasses.is_dataclass(args[0]):
            object.__setattr__(obj, name, _table_list(f"{section}.{name}", getattr(obj, name), args[0]))


@dataclass(frozen=True, slots=True)
class InterestGroupSpec:
    key: str
    name: str
    tag: str = ""
    chats: tuple[str, ...] = ()
    chat_name_contains: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    group: str
    cron: str


@dataclass(frozen=True, slots=True)
class TopicSpec:
    group: str
    text: str
    link: str = ""
    link_title: str = ""
    image: str = ""
    product: bool = False


@dataclass(frozen=True, slots=True)
class CommunityConfig:
    timezone: str = ""
    quiet_hours: str = "22:00-08:00"
    product_every: int = 5
    topic_misfire_grace_s: int = 3600
    schedule_refresh_s: float = 30.0
    result_check_hours: int = 72
    groups: tuple[InterestGroupSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()

    def __post_init__(self) -> None:
        _tables("community", self)
        if self.timezone:
            try:
                from zoneinfo import ZoneInfo

                ZoneInfo(self.timezone)
            except Exception:
                raise ConfigError("community.timezone", f"unknown time zone {self.timezone!r}") from None
        if self.quiet_hours:
            parse_window("community.quiet_hours", self.quiet_hours)
        if self.product_every < 1:
            raise ConfigError("community.product_every", "must be at least 1")
        keys = {g.key for g in self.groups}
        for i, s in enumerate(self.schedules):
            _check_cron(f"community.schedules[{i}].cron", s.cron)
            if s.group not in keys:
                raise ConfigError(f"community.schedules[{i}].group",
                                  f"no interest group {s.group!r} in community.groups")
        for i, t in enumerate(self.topics):
            if t.group not in keys:
                raise ConfigError(f"community.topics[{i}].group", f"no interest group {t.group!r} in community.groups")


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    day: int
    points: int = 0
    badge: str = ""
    coupon: str = ""


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    key: str
    name: str
    start: str
    days: int
    tag: str = ""
    group: str = ""
    window: str = ""  # empty = checkin.window
    remind_at: str = ""  # empty = checkin.remind_at
    makeup_limit: int = -1  # -1 = checkin.makeup_limit
    milestones: tuple[MilestoneSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckinConfig:
    keyword: str = "打卡"
    makeup_keyword: str = "补卡"
    window: str = "06:00-23:00"
    remind_at: str = "20:00"
    makeup_limit: int = 2
    makeup_days: int = 2
    points_per_checkin: int = 1
    min_content_chars: int = 0
    photo_grace_min: int = 10
    campaigns: tuple[CampaignSpec, ...] = ()

    def __post_init__(self) -> None:
        _tables("checkin", self)
        parse_window("checkin.window", self.window)
        parse_hhmm("checkin.remind_at", self.remind_at)
        if not self.keyword or not self.makeup_keyword:
            raise ConfigError("checkin.keyword", "keywords must not be empty")
        for i, c in enumerate(self.campaigns):
            where = f"checkin.campaigns[{i}]"
            _check_date(f"{where}.start", c.start)
            if c.days < 1:
                raise ConfigError(f"{where}.days", "must be at least 1")
            if c.window:
                parse_window(f"{where}.window", c.window)
            if c.remind_at:
                parse_hhmm(f"{where}.remind_at", c.remind_at)


@dataclass(frozen=True, slots=True)
class LevelSpec:
    name: str
    min: int
    rights: str = ""


@dataclass(frozen=True, slots=True)
class PointsConfig:
    query_keyword: str = "我的积分"
    levels: tuple[LevelSpec, ...] = ()

    def __post_init__(self) -> None:
        _tables("points", self)
        mins = [level.min for level in self.levels]
        if mins != sorted(set(mins)):
            raise ConfigError("points.levels", "thresholds (min) must be distinct and ascending")


@dataclass(frozen=True, slots=True)
class TierSpec:
    invites: int
    gift: str
    points: int = 0


@dataclass(frozen=True, slots=True)
class ReferralSpec:
    key: str
    name: str
    staff: str
    tiers: tuple[TierSpec, ...]
    start: str = ""
    end: str = ""


@dataclass(frozen=True, slots=True)
class ReferralConfig:
    join_keyword: str = "邀请有礼"
    progress_keyword: str = "我的邀请"
    leave_grace_hours: int = 72
    campaigns: tuple[ReferralSpec, ...] = ()

    def __post_init__(self) -> None:
        _tables("referral", self)
        for i, c in enumerate(self.campaigns):
            where = f"referral.campaigns[{i}]"
            for name in ("start", "end"):
                if getattr(c, name):
                    _check_date(f"{where}.{name}", getattr(c, name))
            invites = [t.invites for t in c.tiers]
            if not invites or invites != sorted(set(invites)) or invites[0] < 1:
                raise ConfigError(f"{where}.tiers", "needs tiers with distinct, ascending invite counts ≥ 1")
