"""The whole configuration: the platform's sections as typed fields, each feature's section by class.

A feature declares its section with `Section("checkin", CheckinConfig)` (or a family of tables,
`[channels.<state>]`, with `family=True`); handlers read it with `ctx.settings.of(CheckinConfig)`
or `ctx.settings.tables(ChannelConfig)`. Sections are frozen dataclasses with defaults for every
key; an optional `check(where)` method validates a section and raises ConfigError naming the key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, TypeVar, cast

from bot.config.platform import (
    ConsoleConfig,
    DatabaseConfig,
    LogConfig,
    PersonaConfig,
    ServerConfig,
    StaffConfig,
    WeComConfig,
    WorkerConfig,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Section:
    """A feature's config table: `[name]`, or with `family` one `[name.<key>]` table per key."""

    name: str
    cls: type
    family: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    wecom: WeComConfig = field(default_factory=WeComConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    persona: PersonaConfig = field(default_factory=PersonaConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    log: LogConfig = field(default_factory=LogConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    sections: Mapping[str, Section] = field(default_factory=dict)  # the features' sections, by name
    values: Mapping[str, Any] = field(default_factory=dict)  # their values, by name
    _by_class: dict[tuple[type, bool], Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, section in self.sections.items():
            default: Any = {} if section.family else section.cls()
            self._by_class[(section.cls, section.family)] = self.values.get(name, default)

    def of(self, cls: type[T]) -> T:
        """A feature's section (its defaults when the feature was not configured)."""
        try:
            return cast(T, self._by_class[(cls, False)])
        except KeyError:
            raise KeyError(f"no config section of type {cls.__name__}") from None

    def tables(self, cls: type[T]) -> Mapping[str, T]:
        """A family of tables, e.g. `[channels.<state>]`, by key."""
        try:
            return cast(Mapping[str, T], self._by_class[(cls, True)])
        except KeyError:
            raise KeyError(f"no config family of type {cls.__name__}") from None

    def replace(self, **changes: Any) -> Config:
        """A copy with whole sections or {section: {key: value}} updates (tests, the sandbox)."""
        platform: dict[str, Any] = {}
        values = dict(self.values)
        for name, value in changes.items():
            if name in self.sections:
                section = self.sections[name]
                if isinstance(value, Mapping) and not section.family:
                    value = dataclasses.replace(self.values.get(name) or section.cls(), **value)
                values[name] = value
            else:
                current = getattr(self, name)
                platform[name] = dataclasses.replace(current, **value) if isinstance(value, Mapping) else value
        return dataclasses.replace(self, values=values, **platform)


PLATFORM_SECTIONS = tuple(f.name for f in dataclasses.fields(Config) if f.init and f.name not in ("sections", "values"))
