"""A Config back as TOML, e.g. the file `wanzi sandbox` writes so the CLI can reach its database.

Every key of every section is written (defaults included), so loading the file gives the same
Config. Secrets are left out unless asked for: they belong in WANZI_* variables, not in files
lying around.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Iterable

from bot.config.model import PLATFORM_SECTIONS, Config

SECRET_KEYS = frozenset({"wecom.token", "wecom.encoding_aes_key", "wecom.app_secret", "wecom.contact_secret",
                         "wecom.kf_secret", "wecom.webhook_key"})
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are TOML basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in _fields(value)) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _fields(obj: Any) -> Iterable[tuple[str, Any]]:
    return ((f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init)


def _table(header: str, where: str, obj: Any, leave_out: frozenset[str]) -> list[str]:
    lines = [f"[{header}]"]
    lines += [f"{_key(name)} = {_value(value)}" for name, value in _fields(obj) if f"{where}.{name}" not in leave_out]
    return lines + [""]


def as_toml(config: Config, *, leave_out: frozenset[str] = SECRET_KEYS) -> str:
    """The whole config as TOML without the `leave_out` keys ("section.key")."""
    out: list[str] = []
    for name in PLATFORM_SECTIONS:
        out += _table(name, name, getattr(config, name), leave_out)
    for name, section in config.sections.items():
        value = config.values.get(name)
        if section.family:
            for key, table in (value or {}).items():
                out += _table(f"{name}.{_key(key)}", f"{name}.{key}", table, leave_out)
        else:
            out += _table(name, name, value if value is not None else section.cls(), leave_out)
    return "\n".join(out)
