"""`wanzi orders import FILE.csv` (handlers/orders/importing.py): run from a shell on the server."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Config
from bot.context import ContextFactory
from storage import db


class _Refused(Exception):
    """Some line failed while recording: roll the whole file back."""


async def import_file(config: Config, path: str) -> int:
    from bot.app import load_configured_persona
    from handlers import FEATURES
    from handlers.orders.importing import ImportReport, import_orders
    from handlers.wiring import build_services, channel_overlays
    from persona.model import PersonaError, read_text

    try:
        text = read_text(Path(path))  # UTF-8, or GBK as shops' exports and Excel on Chinese Windows write them
    except OSError as exc:
        print(f"error: {path}: cannot read it ({exc.strerror})", file=sys.stderr)
        return 1
    except PersonaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    persona = load_configured_persona(config)
    contexts = ContextFactory(persona=persona, clock=SystemClock(), config=config,
                              services=build_services(config, persona, FEATURES),
                              channel_overlays=channel_overlays(config))
    engine = db.create_engine(config.database.url)
    report = ImportReport()
    try:
        await db.ensure_migrated(engine)
        try:
            async with db.session_factory(engine).begin() as session:
                report = await import_orders(contexts(session), text)
                if report.errors:
                    raise _Refused
        except _Refused:
            pass
    finally:
        await engine.dispose()
    if report.errors:
        for error in report.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"nothing imported: {len(report.errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{path}: {report.line()}")
    return 0
