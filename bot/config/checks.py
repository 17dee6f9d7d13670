"""Validators sections share; each raises ConfigError naming the key."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError
from persona import times


def pairs(key: str, entries: tuple[str, ...]) -> dict[str, str]:
    """"a=b" entries as a mapping."""
    out: dict[str, str] = {}
    for entry in entries:
        left, sep, right = entry.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ConfigError(key, f"{entry!r} must look like \"key=value\"")
        out[left.strip()] = right.strip()
    return out


def check_zone(key: str, name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {name!r}") from None


def check_date(key: str, value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigError(key, f"must be a date YYYY-MM-DD, got {value!r}") from None


def check_clock(key: str, value: str) -> None:
    """"HH:MM"."""
    try:
        times.minutes(value)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None


def check_window(key: str, value: str, *, overnight: bool = True) -> tuple[int, int]:
    """"HH:MM-HH:MM" as (start, end) minutes."""
    try:
        return times.window(value, overnight=overnight)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None


def check_cron(key: str, value: str) -> None:
    from bot.crontab import crontab

    try:
        crontab(value)
    except ValueError as exc:
        raise ConfigError(key, f"must be a 5-field cron expression (minute hour day month weekday): {exc}") from None


def check_file(key: str, value: str) -> None:
    """A file the config names must be there; a relative path is read from the working directory."""
    from pathlib import Path

    path = Path(value)
    if not path.is_file():
        where = "" if path.is_absolute() else f"; a relative path is read from the working directory, {Path.cwd()}"
        raise ConfigError(key, f"no file at {path.resolve()} ({value!r}{where})")
