"""Structured logging: fixed messages, facts as fields, one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Callable

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        out: dict[str, object] = {"ts": at,
               "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def clip(text: str, limit: int = 200) -> str:
    """Untrusted text for a log field: at most `limit` characters, so bad input cannot make huge lines."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LogBudget:
    """At most `per_minute` lines of one kind in each clock minute: a flood of bad input must not
    flood the log. What did not fit is counted; the next line that fits reports how many."""

    def __init__(self, per_minute: int, now: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self.now = now
        self._minute = -1
        self._used = 0
        self._skipped = 0

    def allow(self) -> bool:
        minute = int(self.now() // 60)
        if minute != self._minute:
            self._minute, self._used = minute, 0
        if self._used < self.per_minute:
            self._used += 1
            return True
        self._skipped += 1
        return False

    def skipped(self) -> int:
        """How many lines were left out since the last call (and reset the count)."""
        n, self._skipped = self._skipped, 0
        return n


# Database drivers log SQL with its parameters (the access_token, every customer message) at
# INFO/DEBUG; they speak only of warnings unless SQL logging is asked for (database.echo).
DRIVER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm", "asyncpg")


def setup_logging(level: str = "INFO", as_json: bool = True, *, sql: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in DRIVER_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if sql else logging.WARNING)
    if sql:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
