"""TOML file + WANZI_<SECTION>__<KEY> environment overrides → a checked Config.

Every key is documented in config.example.toml. Unknown sections and keys are errors (a typo
must not be ignored), values are converted to the declared types, lists of tables become typed
specs, each section runs its own `check(where)`, then `cross_check` (given by the caller, which
knows every feature) checks what spans sections. Every problem is a ConfigError naming the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, get_type_hints

from bot.config.model import PLATFORM_SECTIONS, Config, Section
from bot.errors import ConfigError

ENV_PREFIX = "WANZI_"
CrossCheck = Callable[[Config], None]


def coerce(key: str, value: Any, typ: Any) -> Any:
    """A TOML or environment value as the field's declared type."""
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
    args: tuple[Any, ...] = getattr(typ, "__args__", ())
    if len(args) == 2 and args[1] is Ellipsis and isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
        return table_list(key, value, args[0])
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a string, got {value!r}")
        return value
    return value


def table_list(key: str, value: Any, cls: type) -> tuple[Any, ...]:
    """A TOML list of tables as a tuple of `cls` specs, every key checked and converted."""
    if isinstance(value, tuple) and all(isinstance(v, cls) for v in value):
        return value
    if not isinstance(value, (list, tuple)):
        raise ConfigError(key, "must be a list of tables")
    return tuple(fill(cls, f"{key}[{i}]", item) for i, item in enumerate(value))


def fill(cls: type, where: str, values: Any) -> Any:
    """One table as a `cls` instance: unknown keys and missing required ones are named."""
    if not isinstance(values, Mapping):
        raise ConfigError(where, "must be a table")
    hints = get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    known = {f.name for f in fields}
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}.{key}", "unknown key")
        kwargs[key] = coerce(f"{where}.{key}", value, hints[key])
    required = sorted(f.name for f in fields if f.default is dataclasses.MISSING
                      and f.default_factory is dataclasses.MISSING and f.name not in kwargs)
    if required:
        raise ConfigError(f"{where}.{required[0]}", "is required")
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if callable(check):
        check(where)
    return obj


def from_mapping(data: Mapping[str, Any], env: Mapping[str, str] | None = None, *,
                 sections: Iterable[Section] = (), cross_check: CrossCheck | None = None) -> Config:
    """A Config from parsed TOML plus env overrides, with the given feature sections."""
    by_name = {s.name: s for s in sections}
    known = set(PLATFORM_SECTIONS) | set(by_name)
    merged: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name not in known:
            raise ConfigError(name, "unknown section")
        if not isinstance(table, Mapping):
            raise ConfigError(name, "must be a table")
        merged[name] = dict(table)
    for var, value in (env or {}).items():
        if not var.startswith(ENV_PREFIX) or "__" not in var:
            continue
        name, _, key = var[len(ENV_PREFIX):].partition("__")
        name, key = name.lower(), key.lower()
        if name in known and not (name in by_name and by_name[name].family):
            merged.setdefault(name, {})[key] = value
    hints = get_type_hints(Config)
    platform = {name: fill(hints[name], name, merged.get(name, {})) for name in PLATFORM_SECTIONS}
    values: dict[str, Any] = {}
    for name, section in by_name.items():
        raw = merged.get(name, {})
        if section.family:
            values[name] = {key: fill(section.cls, f"{name}.{key}", table) for key, table in raw.items()}
        else:
            values[name] = fill(section.cls, name, raw)
    config = Config(**platform, sections=by_name, values=values)
    if cross_check is not None:
        cross_check(config)
    return config


def config_path(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    raw = explicit or env.get("WANZI_CONFIG")
    return Path(raw) if raw else None


def read_file(path: str | Path | None) -> dict[str, Any]:
    """The TOML file as a table ({} without a file); a missing or broken file is a ConfigError."""
    if path is None:
        return {}
    from persona.model import PersonaError, read_text

    p = Path(path)
    try:
        return tomllib.loads(read_text(p))
    except PersonaError as exc:  # neither UTF-8 nor GBK (Notepad's ANSI on Chinese Windows is read)
        raise ConfigError("config", str(exc)) from None
    except FileNotFoundError:
        raise ConfigError("config", f"file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{p} is not valid TOML: {exc}") from None


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None, *,
         sections: Iterable[Section] = (), cross_check: CrossCheck | None = None) -> Config:
    return from_mapping(read_file(path), os.environ if env is None else env, sections=sections,
                        cross_check=cross_check)


def require_wecom(config: Config) -> None:
    """For `serve`: the callback cannot work without these."""
    for key in ("corp_id", "token", "encoding_aes_key"):
        if not getattr(config.wecom, key):
            raise ConfigError(f"wecom.{key}", f"is required (set it in the config file or WANZI_WECOM__{key.upper()})")
