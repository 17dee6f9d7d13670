"""`wanzi customer export|erase <客户>`: the same export and erasure as the console, from a shell on
the server (for requests that arrive by letter or e-mail). Audited with actor "cli"."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Config
from handlers.privacy.commands import rows_line
from handlers.privacy.service import NotFound, erase, export, find_one
from storage import db
from storage.models import Customer


async def export_to(config: Config, query: str, out: TextIO) -> int:
    engine = db.create_engine(config.database.url)
    try:
        await db.ensure_migrated(engine)
        async with db.session_factory(engine).begin() as session:
            try:
                customer = await find_one(session, query)
            except NotFound as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            data = await export(session, customer, actor="cli", via="cli", now=SystemClock().now())
    finally:
        await engine.dispose()
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")
    return 0


async def erase_one(config: Config, query: str, *, confirmed: bool) -> int:
    engine = db.create_engine(config.database.url)
    sessions = db.session_factory(engine)
    try:
        await db.ensure_migrated(engine)
        async with sessions() as session:
            try:
                customer = await find_one(session, query)
            except NotFound as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            customer_id, external_userid = customer.id, customer.external_userid
        if not confirmed and not _ask(external_userid):  # asked outside any transaction: it holds no lock
            print("nothing erased", file=sys.stderr)
            return 1
        async with sessions.begin() as session:
            found = await session.get(Customer, customer_id)
            if found is None:
                print("error: the customer was erased meanwhile", file=sys.stderr)
                return 1
            erasure = await erase(session, [found], actor="cli", via="cli", now=SystemClock().now())
    finally:
        await engine.dispose()
    print(f"客户 #{customer_id} 的数据已删除并匿名化：{rows_line(erasure)}。")
    return 0


def _ask(external_userid: str) -> bool:
    print(f"This erases every trace of {external_userid} and cannot be undone. Type the external_userid to go on:",
          file=sys.stderr)
    return sys.stdin.readline().strip() == external_userid
