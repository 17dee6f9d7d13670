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
    names: tuple[str, ...] = ()  # "userid=显示名": how the persona introduces an advisor to customers


@dataclass(frozen=True, slots=True)
class AntispamConfig:
    """Limits on pushes (never on answers or welcomes); 0 / "" = the persona's own cadence."""

    enabled: bool = True  # global switch: false drops every push, with the reason recorded
    daily_cap: int = 0
    weekly_cap: int = 0
    quiet_hours: str = ""  # "22:00-08:00", or "off"


@dataclass(frozen=True, slots=True)
class FaqConfig:
    path: str = ""  # operator's knowledge base (TOML [[faq]] or CSV question,answer)
    threshold: float = 0.6  # below this confidence the persona says it will ask a colleague


@dataclass(frozen=True, slots=True)
class TaggingConfig:
    mirror: bool = True  # mirror local tags to WeCom corp tags (add_corp_tag + mark_tag)
    rules_path: str = ""  # extra [[rules]] on top of the persona's


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One acquisition channel, keyed by the contact way's State (or a kf scene)."""

    welcome: str = ""  # persona overlay [channels.<welcome>] for this channel's texts; default: the state
    tags: tuple[str, ...] = ()  # "group:name" tags every customer of this channel gets
    advisor: str = ""  # staff userid assigned as the customer's advisor
    stage: str = ""  # lifecycle stage the customer starts in (a persona [stages.<name>])
    link_title: str = ""  # optional link card after the welcome text (customer-contact.md §7)
    link_url: str = ""
    link_desc: str = ""
    link_picurl: str = ""
    miniprogram_title: str = ""  # optional mini-program card; needs all four miniprogram_* keys
    miniprogram_appid: str = ""
    miniprogram_page: str = ""
    miniprogram_pic_media_id: str = ""


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
    antispam: AntispamConfig = field(default_factory=AntispamConfig)
    faq: FaqConfig = field(default_factory=FaqConfig)
    tagging: TaggingConfig = field(default_factory=TaggingConfig)
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)  # [channels.<state>]
    escalation: EscalationConfig = field(default_factory=lambda: EscalationConfig())
    commands: CommandsConfig = field(default_factory=lambda: CommandsConfig())
    # community operations (issue 4); the classes are defined at the end of this module
    community: CommunityConfig = field(default_factory=lambda: CommunityConfig())
    checkin: CheckinConfig = field(default_factory=lambda: CheckinConfig())
    points: PointsConfig = field(default_factory=lambda: PointsConfig())
    referral: ReferralConfig = field(default_factory=lambda: ReferralConfig())
    digest: DigestConfig = field(default_factory=lambda: DigestConfig())
    console: ConsoleConfig = field(default_factory=lambda: ConsoleConfig())

    def replace(self, **sections: Any) -> Config:
        """A copy with whole sections or {section: {key: value}} updates."""
        updates = {}
        for name, value in sections.items():
            if isinstance(value, Mapping) and name != "channels":
                value = dataclasses.replace(getattr(self, name), **value)
            updates[name] = value
        return dataclasses.replace(self, **updates)


_SECTIONS = {f.name: f.type for f in dataclasses.fields(Config)}
TABLE_FAMILIES = {"channels": ChannelConfig}  # [<family>.<name>] tables of one shape


def _section_types() -> dict[str, type]:
    hints = get_type_hints(Config)
    return {name: hints[name] for name in _SECTIONS if name not in TABLE_FAMILIES}


def _fill(cls: type, where: str, values: Mapping[str, Any]) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}.{key}", "unknown key")
        kwargs[key] = _coerce(f"{where}.{key}", value, hints[key])
    return cls(**kwargs)


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
    sections: dict[str, Any] = {}
    for section, cls in _section_types().items():
        sections[section] = _fill(cls, section, merged.get(section, {}))
    for family, cls in TABLE_FAMILIES.items():
        tables = {}
        for name, values in merged.get(family, {}).items():
            if not isinstance(values, Mapping):
                raise ConfigError(f"{family}.{name}", "must be a table")
            tables[name] = _fill(cls, f"{family}.{name}", values)
        sections[family] = tables
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
    _validate_features(config)
    validate_escalation(config)
    _validate_digest_console(config)


def _validate_features(config: Config) -> None:
    """Persona-related sections; cross-checks against the persona file happen when it loads."""
    from persona.loader import parse_cadence, preset_names
    from persona.model import PersonaError

    if not config.persona.path and config.persona.preset not in preset_names():
        raise ConfigError("persona.preset", f"unknown preset; shipped: {', '.join(preset_names())}")
    a = config.antispam
    if a.daily_cap < 0 or a.weekly_cap < 0:
        raise ConfigError("antispam.daily_cap" if a.daily_cap < 0 else "antispam.weekly_cap", "must be ≥ 0")
    try:
        parse_cadence({"quiet_hours": "" if a.quiet_hours == "off" else a.quiet_hours}, "config", "antispam")
    except PersonaError as exc:
        raise ConfigError("antispam.quiet_hours", exc.problem) from None
    if not 0.0 < config.faq.threshold <= 1.0:
        raise ConfigError("faq.threshold", "must be between 0 and 1")
    for state, ch in config.channels.items():
        where = f"channels.{state}"
        if len(state) > 30:
            raise ConfigError(where, "a contact way's state is at most 30 characters")
        for tag in ch.tags:
            group, sep, name = tag.partition(":")
            if not sep or not group.strip() or not name.strip():
                raise ConfigError(f"{where}.tags", f'tag {tag!r} must look like "group:name"')
        if bool(ch.link_title) != bool(ch.link_url):
            raise ConfigError(f"{where}.link_url", "a link needs both link_title and link_url")
        for key, limit in (("link_title", 128), ("link_desc", 512), ("miniprogram_title", 64)):
            if len(getattr(ch, key).encode("utf-8")) > limit:
                raise ConfigError(f"{where}.{key}", f"at most {limit} bytes (customer-contact.md §7)")
        mp = [ch.miniprogram_title, ch.miniprogram_appid, ch.miniprogram_page, ch.miniprogram_pic_media_id]
        if any(mp) and not all(mp):
            raise ConfigError(f"{where}.miniprogram_appid", "a mini-program card needs title, appid, page and "
                                                            "pic_media_id")


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


# --- issue 5: escalation and staff commands ------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REACH = ("none", "vip", "all")


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    """When a customer's message goes to a human advisor, to whom, and how fast."""

    enabled: bool = True
    vip_tags: tuple[str, ...] = ("VIP",)
    vip_levels: tuple[str, ...] = ()
    vip_customers: tuple[str, ...] = ()
    vip_questions: bool = True
    human_words: tuple[str, ...] = ("人工", "真人", "活人", "找客服", "投诉电话")
    sensitive_topics: tuple[str, ...] = (
        "退款:退款|退货|退钱|仅退款|退换",
        "投诉:投诉|差评|举报|12315|维权|曝光",
        "过敏:过敏|红肿|刺痛|起疹|烂脸|不良反应",
        "议价:便宜点|优惠点|能便宜|砍价|议价|最低价|少点钱",
    )
    unanswered_escalates: str = "vip"
    context_messages: int = 10
    working_days: tuple[str, ...] = WEEKDAYS
    working_hours: str = "09:00-21:00"
    sla_minutes: int = 30
    sla_minutes_by_level: tuple[str, ...] = ("vip=15",)
    reroute_after_minutes: int = 10
    leads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandsConfig:
    """Staff slash commands: how long a pending confirmation or numbered choice stays valid."""

    confirm_minutes: int = 10
    choice_minutes: int = 5


def parse_topics(entries: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """"退款:退款|退货" → {"退款": ("退款", "退货")}; ConfigError names the bad entry."""
    topics: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        name, sep, words = entry.partition(":")
        keywords = tuple(w.strip() for w in words.split("|") if w.strip())
        if not sep or not name.strip() or not keywords:
            raise ConfigError("escalation.sensitive_topics", f"{entry!r} must look like \"名称:词1|词2\"")
        topics[name.strip()] = keywords
    return topics


def parse_pairs(key: str, entries: tuple[str, ...]) -> dict[str, str]:
    """"a=b" entries into a mapping; ConfigError names the key for a malformed entry."""
    pairs: dict[str, str] = {}
    for entry in entries:
        left, sep, right = entry.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ConfigError(key, f"{entry!r} must look like \"key=value\"")
        pairs[left.strip()] = right.strip()
    return pairs


def parse_hours(value: str) -> tuple[int, int]:
    """"09:00-21:00" → minutes since midnight (540, 1260)."""
    try:
        start, end = value.split("-")
        (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    except ValueError:
        raise ConfigError("escalation.working_hours", f"{value!r} must look like \"09:00-21:00\"") from None
    first, last = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= first < last <= 24 * 60 and 0 <= m1 < 60 and 0 <= m2 < 60):
        raise ConfigError("escalation.working_hours", f"{value!r}: start must be before end, within one day")
    return first, last


def sla_by_level(config: EscalationConfig) -> dict[str, int]:
    out = {}
    for level, minutes in parse_pairs("escalation.sla_minutes_by_level", config.sla_minutes_by_level).items():
        if not minutes.isdigit() or int(minutes) < 1:
            raise ConfigError("escalation.sla_minutes_by_level", f"{level}: minutes must be a whole number ≥ 1")
        out[level] = int(minutes)
    return out


def validate_escalation(config: Config) -> None:
    e = config.escalation
    parse_topics(e.sensitive_topics)
    parse_hours(e.working_hours)
    sla_by_level(e)
    parse_pairs("staff.names", config.staff.names)
    bad_days = [d for d in e.working_days if d not in WEEKDAYS]
    if bad_days:
        raise ConfigError("escalation.working_days", f"unknown day {bad_days[0]!r}; use {', '.join(WEEKDAYS)}")
    if e.unanswered_escalates not in REACH:
        raise ConfigError("escalation.unanswered_escalates", f"must be one of {', '.join(REACH)}")
    for key in ("sla_minutes", "reroute_after_minutes", "context_messages"):
        if getattr(e, key) < 1:
            raise ConfigError(f"escalation.{key}", "must be at least 1")
    for key in ("confirm_minutes", "choice_minutes"):
        if getattr(config.commands, key) < 1:
            raise ConfigError(f"commands.{key}", "must be at least 1")
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
