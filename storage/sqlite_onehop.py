"""One thread hop per SQLite statement instead of three or four.

aiosqlite runs the sqlite3 connection in a thread of its own and SQLAlchemy's adapter talks to it
one call at a time: make a cursor, execute, fetch the rows, close the cursor, each a round trip
(a queue put, a thread wake-up, a loop wake-up). Measured in `wanzi serve` under load (bench/README.md),
those round trips cost more of the event loop's time than the statements: every hop wakes the
driver's thread and, on a busy machine, gives the CPU away.

`OneHopCursor` does the same work in one function on the driver's thread and hands back the
rows, description, rowcount and lastrowid together. Statements, their order, transactions and
errors are exactly those of the stock adapter (errors raised on the driver's thread reach
SQLAlchemy as before). Server-side cursors (streamed results) keep the stock adapter.

It relies on two attributes of aiosqlite's Connection that have been there since 0.19
(`_execute`, `_conn`); if a future aiosqlite lacks them, `install` leaves the stock adapter in place.
`WANZI_SQLITE_DRIVER=stock` keeps the stock adapter too (the benchmarks compare both in one run).
"""

from __future__ import annotations

import collections
import os
from typing import Any, Optional

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor
from sqlalchemy.util import EMPTY_DICT


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_memo", "_arraysize")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor is made on the driver's thread yet
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._memo: tuple[Any, int, Optional[int]] = (None, -1, None)
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._memo[0]

    @property
    def rowcount(self) -> int:
        return self._memo[1]

    @property
    def lastrowid(self) -> Any:
        return self._memo[2]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # nothing is open on the driver's thread between calls

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        raw = self._connection._conn  # the sqlite3 connection; used only on the driver's thread below

        def run() -> tuple[Any, int, Optional[int], list[Any] | None]:
            cursor = raw.cursor()
            try:
                if parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                rows = cursor.fetchall() if cursor.description else None
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            description, rowcount, lastrowid, rows = await self._connection._execute(run)
        self._memo = (description, rowcount, lastrowid)
        if rows is not None:
            self._rows = collections.deque(rows)
        return None

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        raw = self._connection._conn

        def run() -> tuple[Any, int, Optional[int]]:
            cursor = raw.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                return cursor.description, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            self._memo = await self._connection._execute(run)
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


def enabled() -> bool:
    return os.environ.get("WANZI_SQLITE_DRIVER", "") != "stock"


def install(dbapi_connection: Any) -> None:
    """Called from the engine's "connect" event: switch this connection to one hop per statement."""
    if not enabled() or type(dbapi_connection) is not AsyncAdapt_aiosqlite_connection:
        return
    inner = getattr(dbapi_connection, "_connection", None)
    if not (hasattr(inner, "_execute") and hasattr(inner, "_conn")):
        return
    dbapi_connection.__class__ = OneHopConnection  # same slots, same state: only the cursor class changes
