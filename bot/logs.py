"""Structured logging: fixed messages, facts as fields, one JSON object per line."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime, timezone
from typing import Callable

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def fields(record: logging.LogRecord) -> dict[str, object]:
    """The facts a line carries (`extra=`), JSON-ready."""
    return {key: value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
            for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        out: dict[str, object] = {"ts": at,
               "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        out.update(fields(record))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For people at a terminal (log.json = false): the fixed message, then its facts as key=value,
    so "wecom api error" still says which API, errcode and errmsg."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        facts = " ".join(f"{key}={_text_value(value)}" for key, value in fields(record).items())
        return super().formatMessage(record) + (f" {facts}" if facts else "")


def _text_value(value: object) -> str:
    if isinstance(value, str) and (not value or any(c.isspace() or c in "\"=" for c in value)):
        return json.dumps(value, ensure_ascii=False)  # quoted, so one fact cannot pose as several
    return str(value)


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


class CallbackTally:
    """Accepted and repeated callbacks, counted by kind and logged as one INFO line per `every_s`.

    A line per callback is 10,000 lines a minute at WeCom's welcome ceiling and ~12 % of an ack's work
    (bench/README.md, "Intake CPU per callback"); operators read the rate, /metrics has the counters and
    DEBUG still shows each callback. The line is written `every_s` after the first callback of a quiet
    spell (a timer on the loop, none while no callback comes), and by `flush()` at shutdown."""

    def __init__(self, every_s: float, logger: logging.Logger) -> None:
        self.every_s = every_s
        self.log = logger
        self.accepted: dict[str, int] = {}
        self.duplicates = 0
        self._timer: asyncio.TimerHandle | None = None

    def count(self, kind: str, new: bool) -> None:
        if new:
            self.accepted[kind] = self.accepted.get(kind, 0) + 1
        else:
            self.duplicates += 1
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.every_s, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.accepted and not self.duplicates:
            return
        self.log.info("callbacks accepted", extra={
            "accepted": sum(self.accepted.values()), "duplicates": self.duplicates,
            "kinds": " ".join(f"{kind}={n}" for kind, n in sorted(self.accepted.items())), "seconds": self.every_s})
        self.accepted, self.duplicates = {}, 0


# Database drivers log SQL with its parameters (the access_token, every customer message) at
# INFO/DEBUG; they speak only of warnings unless SQL logging is asked for (database.echo).
DRIVER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm", "asyncpg")


def setup_logging(level: str = "INFO", as_json: bool = True, *, sql: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Facts neither formatter prints, which every record would otherwise gather (the logging HOWTO's
    # "Optimization"): the caller's file, line and function (a walk up the stack), its thread and process.
    # At INFO each accepted callback logs a line: ~20 of its ~95 function calls (bench/README.md, "Intake
    # CPU per callback").
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in DRIVER_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if sql else logging.WARNING)
    if sql:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
