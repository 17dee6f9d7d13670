"""The `wanzi` command: serve, sandbox, db upgrade, config check, outbox list|retry, digest, persona check,
faq eval|reload, console passwd, customer export|erase, orders import."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from aiohttp import web

from bot import speedups
from bot.config import Config
from bot.config.platform import CorpKey
from bot.errors import ConfigError
from bot.intake_thread import IntakeThread, forwarded_peer

CONNECT_A_CORP = 'README.md, "Connecting a real WeCom corp"'


def _config_file(args: argparse.Namespace) -> str | None:
    return args.config or os.environ.get("WANZI_CONFIG")


if TYPE_CHECKING:
    from bot.preflight import Finding


def _config(args: argparse.Namespace) -> Config:
    from bot.app import load_config

    return load_config(_config_file(args))


def _existing_database(args: argparse.Namespace, config: Config) -> str:
    """The database a read command opens; a missing SQLite file is an error, never created empty."""
    from storage import db

    path = db.sqlite_path(config.database.url)
    if path and not Path(path).exists():
        given = _config_file(args)
        hint = (f"as {given} says; `wanzi db upgrade` creates it" if given else
                "the default: no config was given. Use --config FILE or WANZI_CONFIG=FILE (`wanzi sandbox` "
                "writes ./sandbox.toml), or set WANZI_DATABASE__URL")
        raise ConfigError("database.url", f"no database at {Path(path).resolve()} ({hint})")
    return config.database.url


def cmd_serve(args: argparse.Namespace) -> int:

    from bot.app import create_app
    from bot.instance import bind_port
    from bot.logs import setup_logging
    from storage import db

    config = _config(args)
    setup_logging(config.log.level, config.log.json, sql=config.database.echo)
    if not config.wecom.app_secret:
        logging.getLogger("wanzi").warning("wecom.app_secret is empty: WeCom will answer 41004 to every API call")

    async def check_schema() -> None:
        engine = db.create_engine(config.database.url)
        try:
            await db.ensure_migrated(engine)
        finally:
            await engine.dispose()

    asyncio.run(check_schema())
    # Bound before start-up: holding host:port is what lets this start declare an earlier start
    # under the same instance name dead and take its leases at once (bot/instance.py).
    sock = bind_port(config.server.host, config.server.port)
    speedups.run(serve(create_app(config, take_over=True), config, sock), config.server.event_loop)
    return 0


async def serve(app: web.Application, config: Config, sock: socket.socket) -> None:
    """The bot on server.host:port and, with `[console] listen`, the console on its own address."""
    import signal

    from bot.app import stopping

    if config.server.intake_thread:
        app.middlewares.append(forwarded_peer)  # before start-up freezes the app
    if config.server.switch_interval_ms:  # the intake thread gets the GIL sooner (bench/README.md)
        sys.setswitchinterval(config.server.switch_interval_ms / 1000)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    intake: IntakeThread | None = None
    private = tempfile.TemporaryDirectory(prefix="wanzi-") if config.server.intake_thread else None
    if private is not None:  # the intake thread takes the port and forwards the rest here (bot/intake_thread.py)
        main_socket = os.path.join(private.name, "main.sock")
        sites: list[web.BaseSite] = [web.UnixSite(runner, main_socket)]
    else:
        sites = [web.SockSite(runner, sock)]
    if config.console.listen:
        host, _, port = config.console.listen.rpartition(":")
        sites.append(web.TCPSite(runner, host, int(port)))
    for site in sites:
        await site.start()
        print(f"serving on {site.name}", file=sys.stderr)
    print(f"event loop: {speedups.loop_name(asyncio.get_running_loop())}, WeCom API JSON: "
          f"{speedups.json_codec(config.server.json).name}", file=sys.stderr)  # [server] event_loop, json
    if private is not None:
        intake = IntakeThread(app, sock, main_socket)
        await intake.start()
        print(f"callbacks on their own thread ({speedups.loop_name(intake.loop)})", file=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping, stop)
    try:
        await stop.wait()
    finally:
        if intake is not None:
            await intake.stop()
        await runner.cleanup()
        if private is not None:
            private.cleanup()


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox import run_sandbox

    return run_sandbox(host=args.host, port=args.port, emulator_port=args.emulator_port, db_path=args.db,
                       config_path=args.write_config, shop_config=args.config or "")  # never $WANZI_CONFIG


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage import db

    config = _config(args)

    async def run() -> str | None:
        engine = db.create_engine(config.database.url)
        try:
            await db.upgrade(engine)
            return await db.current_revision(engine)
        finally:
            await engine.dispose()

    print(f"database at revision {asyncio.run(run())}")
    return 0


@contextlib.contextmanager
def _unlogged_borrowing() -> Iterator[None]:
    """The persona loader's warning on missing templates (for `wanzi serve`'s log) left out of a check that
    says them itself: without a log handler it would print as a bare line."""
    logger = logging.getLogger("persona.loader")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def cmd_config_check(args: argparse.Namespace) -> int:
    from bot.app import load_configured_persona
    from bot.config.platform import corp_gaps
    from handlers.wiring import check_files

    config = _config(args)
    with _unlogged_borrowing():  # missing templates: said below, by file and count
        persona = load_configured_persona(config)
    for note in check_files(config, persona):
        print(f"warning: {note}", file=sys.stderr)
    gaps = corp_gaps(config)
    if any(g.needed_for == "callback" for g in gaps):
        print(explain_gaps(_config_file(args), gaps), file=sys.stderr)
        return 1
    for gap in gaps:
        print(f"warning: {gap.key} is empty: {gap.if_empty} ({gap.source}; or {gap.env})", file=sys.stderr)
    for finding in asyncio.run(_preflight(config)):
        print(f"warning: {finding.text}", file=sys.stderr)
    print("config ok")
    return 0


def explain_gaps(config_file: str | None, gaps: list[CorpKey]) -> str:
    """What a real corp still has to fill in, grouped by what breaks without it."""
    name = config_file or "the configuration (no config file given)"
    out = [f"error: {name} is not ready for a real corp yet. Fill in these keys, in the file or, for secrets,",
           "as environment variables:"]
    groups = (("callback", "WeCom's callbacks cannot be verified or decrypted without:"),
              ("api", "Wanzi cannot call WeCom without:"),
              ("optional", "Optional:"))
    width = max(len(g.key) for g in gaps)
    for level, title in groups:
        chosen = [g for g in gaps if g.needed_for == level]
        if not chosen:
            continue
        out.append(f"  {title}")
        for gap in chosen:
            out.append(f"    {gap.key:<{width}}  {gap.source}")
            empty = f"; empty: {gap.if_empty}" if gap.if_empty else ""
            out.append(f"    {'':<{width}}  or {gap.env}{empty}")
    out.append(f"How to get each value: {CONNECT_A_CORP}.")
    return "\n".join(out)


async def _preflight(config: Config) -> list[Finding]:
    """The features' checks against WeCom itself (e.g. who the kf servicers are), asked once each:
    an unreachable WeCom is reported by each check as "could not check", not retried."""
    import dataclasses

    import aiohttp

    from bot.app import shipped_features
    from bot.preflight import run_checks
    from bot.wecom.client import WeComClient

    checks = [c for f in shipped_features() for c in f.preflight]
    async with aiohttp.ClientSession() as http:
        client = WeComClient(dataclasses.replace(config.wecom, max_retries=0), http)
        return await run_checks(checks, config, client)


def cmd_outbox_list(args: argparse.Namespace) -> int:
    from storage import db
    from storage.models import OutboxStatus
    from storage.queues import OutboxRepo

    config = _config(args)
    statuses = [s.strip() for s in (args.status or "").split(",") if s.strip()]
    valid = [s.value for s in OutboxStatus]
    unknown = [s for s in statuses if s not in valid]
    if unknown:
        raise ConfigError("--status", f"unknown status {unknown[0]!r}; valid: {', '.join(valid)}")
    url = _existing_database(args, config)

    async def run() -> list:
        engine = db.create_engine(url)
        try:
            await db.ensure_migrated(engine)
            async with db.session_factory(engine)() as session:
                return await OutboxRepo(session).list(statuses=statuses, limit=args.limit)
        finally:
            await engine.dispose()

    rows = asyncio.run(run())
    print(f"{'id':>6}  {'status':<8} {'api':<36} {'tries':>5}  {'errcode':>7}  reason")
    for r in rows:
        print(f"{r.id:>6}  {r.status:<8} {r.api:<36} {r.attempts:>5}  {r.last_errcode or '':>7}  {r.last_error}")
    if not rows:
        print("(no rows)")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from storage import db
    from storage.queues import FAILED, OutboxRepo

    config = _config(args)
    if not args.ids and not args.all:
        raise ConfigError("outbox retry", "give row ids or --all")
    url = _existing_database(args, config)

    async def run() -> int:
        engine = db.create_engine(url)
        try:
            await db.ensure_migrated(engine)
            async with db.session_factory(engine).begin() as session:
                repo = OutboxRepo(session)
                ids = args.ids or [r.id for r in await repo.list(statuses=FAILED, limit=10_000)]
                return await repo.retry(ids, now=SystemClock().now())
        finally:
            await engine.dispose()

    n = asyncio.run(run())
    print(f"{n} row(s) queued again (sent rows are never re-sent; expired codes will expire again)")
    return 0


def cmd_persona_check(args: argparse.Namespace) -> int:
    from persona import load_persona
    from persona.loader import demo_names

    with _unlogged_borrowing():  # missing templates: said below, by key
        persona = load_persona(args.file)
    if persona.borrowed:  # it loads (the preset's texts stand in), but the file should say them itself
        print(f"{persona.source}: templates missing, the {persona.profile.model} preset's text is used: "
              f"{', '.join(persona.borrowed)}", file=sys.stderr)
        return 1
    named = demo_names(persona)
    if named:  # a copied preset whose profile changed: these texts would give customers the demo's name
        print(f"{persona.source}: {len(named)} text(s) still name the demo persona or brand, not "
              f"{persona.profile.name} of {persona.profile.brand} (write {{persona}} and {{brand}}):", file=sys.stderr)
        for line in named:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"persona ok: {persona.profile.name} ({len(persona.templates)} templates)")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from datetime import date
    from zoneinfo import ZoneInfo

    from bot.clock import SystemClock
    from handlers.digest.registry import default_registry
    from handlers.digest.render import terminal
    from handlers.digest.service import compute, digest_title
    from storage import db

    config = _config(args)
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise ConfigError("--date", f"must be YYYY-MM-DD, got {args.date!r}") from None
    today = SystemClock().now().astimezone(ZoneInfo(config.persona.timezone)).date()
    if day is not None and day > today:  # as /digest: a day that has not come has no digest
        raise ConfigError("--date", f"{day:%Y-%m-%d} has not come yet in {config.persona.timezone} "
                                    f"(today is {today:%Y-%m-%d}): only today and earlier days have a digest")
    from bot.app import load_configured_persona

    persona = load_configured_persona(config)
    brand = persona.profile.brand
    url = _existing_database(args, config)

    async def run() -> tuple[str, str]:
        engine = db.create_engine(url)
        try:
            await db.ensure_migrated(engine)
            async with db.session_factory(engine)() as session:
                registry = default_registry()
                digest = await compute(session, config, registry, day, now=SystemClock().now(), persona=persona)
                html = ""
                if args.html:
                    from handlers.digest.console import standalone_digest_html

                    html = await standalone_digest_html(session, digest, registry, title=digest_title(brand))
                return terminal(digest, title=digest_title(brand)), html
        finally:
            await engine.dispose()

    text, html = asyncio.run(run())
    print(text, end="")
    if args.html:
        from pathlib import Path

        Path(args.html).write_text(html, encoding="utf-8")
        print(f"HTML written to {args.html}", file=sys.stderr)
    return 0


def cmd_faq_eval(args: argparse.Namespace) -> int:
    """Knowledge-base figures for an operator's own questions: handlers/replies/faq_eval.py does the work."""
    from handlers.replies.faq_eval import eval_command

    print(eval_command(_config(args), args.questions, args.kb, args.threshold), end="")
    return 0


def cmd_customer(args: argparse.Namespace) -> int:
    """Customers' data rights: handlers/privacy/cli.py does the work."""
    from handlers.privacy import cli

    config = _config(args)
    if args.customer_cmd == "export":
        return asyncio.run(cli.export_to(config, args.customer, sys.stdout))
    return asyncio.run(cli.erase_one(config, args.customer, confirmed=args.yes))


def cmd_faq_reload(args: argparse.Namespace) -> int:
    """The knowledge base: handlers/replies/cli.py does the work."""
    from handlers.replies import cli

    config = _config(args)
    _existing_database(args, config)  # never a new, empty one: the running bot's database is the one to tell
    return asyncio.run(cli.reload(config))


def cmd_orders(args: argparse.Namespace) -> int:
    """Orders from a shop's CSV export: handlers/orders/cli.py does the work."""
    from handlers.orders import cli

    config = _config(args)
    _existing_database(args, config)
    return asyncio.run(cli.import_file(config, args.file))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wanzi", description="Wanzi, a WeCom bot with one warm brand persona")
    parser.add_argument("--config", help="TOML config file (default: $WANZI_CONFIG)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="TOML config file (default: $WANZI_CONFIG)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("serve", help="run the bot", parents=[common]).set_defaults(func=cmd_serve)
    sb = sub.add_parser("sandbox", help="bot + WeCom emulator + chat console on localhost, SQLite, no WeCom needed")
    sb.add_argument("--config", default=argparse.SUPPRESS,
                    help="your shop's config: its persona, knowledge base and the rest, with the sandbox's own "
                         "server, wecom, database, console, staff and log")
    sb.add_argument("--host", default="127.0.0.1")
    sb.add_argument("--port", type=int, default=8080, help="bot port (callbacks, console)")
    sb.add_argument("--emulator-port", type=int, default=8081, help="emulator port (fake WeCom API, chat page)")
    sb.add_argument("--db", default="./sandbox.db", help="SQLite file of the sandbox")
    sb.add_argument("--write-config", default="", metavar="FILE",
                    help="where to write the sandbox's config for the CLI, without secrets "
                         "(default: next to --db, ./sandbox.toml)")
    sb.set_defaults(func=cmd_sandbox)
    dbp = sub.add_parser("db", help="database").add_subparsers(dest="db_cmd", required=True)
    dbp.add_parser("upgrade", help="apply migrations", parents=[common]).set_defaults(func=cmd_db_upgrade)
    cp = sub.add_parser("config", help="configuration").add_subparsers(dest="config_cmd", required=True)
    cp.add_parser("check", help="validate the config; names the bad key",
                  parents=[common]).set_defaults(func=cmd_config_check)
    ob = sub.add_parser("outbox", help="outbound queue").add_subparsers(dest="outbox_cmd", required=True)
    ol = ob.add_parser("list", help="list rows", parents=[common])
    ol.add_argument("--status", help="comma-separated: pending,sending,sent,dead,expired,cancelled "
                                     "(storage.models.OutboxStatus)")
    ol.add_argument("--limit", type=int, default=50)
    ol.set_defaults(func=cmd_outbox_list)
    orr = ob.add_parser("retry", help="queue dead/expired rows again", parents=[common])
    orr.add_argument("ids", nargs="*", type=int)
    orr.add_argument("--all", action="store_true", help="every dead or expired row")
    orr.set_defaults(func=cmd_outbox_retry)
    dg = sub.add_parser("digest", help="print a day's digest (default: yesterday)", parents=[common])
    dg.add_argument("--date", help="local day YYYY-MM-DD in persona.timezone (default: yesterday)")
    dg.add_argument("--html", metavar="FILE", help="also write the digest with its 30-day charts as one HTML file")
    dg.set_defaults(func=cmd_digest)
    pp = sub.add_parser("persona", help="persona files").add_subparsers(dest="persona_cmd", required=True)
    pc = pp.add_parser("check", help="lint a persona TOML file")
    pc.add_argument("file")
    pc.set_defaults(func=cmd_persona_check)
    fq = sub.add_parser("faq", help="knowledge base").add_subparsers(dest="faq_cmd", required=True)
    fe = fq.add_parser("eval", help="accuracy, wrong answers and off-topic answers for your own test questions",
                       parents=[common])
    fe.add_argument("questions", help="CSV with columns question,expected[,kind] (README: Knowledge base)")
    fe.add_argument("--kb", help="FAQ file (TOML or CSV) instead of the configured knowledge base")
    fe.add_argument("--threshold", type=float, help="confidence to answer (default: [faq] threshold)")
    fe.set_defaults(func=cmd_faq_eval)
    fq.add_parser("reload", help="check the FAQ file and make every running replica re-read it",
                  parents=[common]).set_defaults(func=cmd_faq_reload)
    cs = sub.add_parser("console", help="staff console").add_subparsers(dest="console_cmd", required=True)
    cw = cs.add_parser("passwd", help="set a staff member's console password (needs console.password_login)",
                       parents=[common])
    cw.add_argument("userid")
    cw.add_argument("--stdin", action="store_true", help="read the password from standard input")
    cw.set_defaults(func=cmd_console_passwd)
    cu = sub.add_parser("customer", help="customers' data rights (PIPL)").add_subparsers(dest="customer_cmd",
                                                                                        required=True)
    ce = cu.add_parser("export", help="print everything stored about one customer as JSON", parents=[common])
    ce.add_argument("customer", help="external_userid, or a name or remark only one customer has")
    ce.set_defaults(func=cmd_customer)
    cx = cu.add_parser("erase", help="delete or anonymise one customer in every table", parents=[common])
    cx.add_argument("customer", help="external_userid, or a name or remark only one customer has")
    cx.add_argument("--yes", action="store_true", help="do not ask to type the external_userid")
    cx.set_defaults(func=cmd_customer)
    od = sub.add_parser("orders", help="orders from shops").add_subparsers(dest="orders_cmd", required=True)
    oi = od.add_parser("import", help="import a CSV export (all or nothing; errors name the line)",
                       parents=[common])
    oi.add_argument("file", help="CSV with a header: order_id, external_userid|unionid|buyer_id, amount, items, "
                                 "paid_at, channel, status[, birthday]")
    oi.set_defaults(func=cmd_orders)
    return parser


def cmd_console_passwd(args: argparse.Namespace) -> int:
    """Set one member's personal console password (scrypt) and end their sessions."""
    import getpass

    from bot.console.passwords import hash_password, weakness
    from storage import db
    from storage.models import ConsoleSession
    from storage.repos import AuditRepo, StaffRepo

    config = _config(args)
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"{args.userid} 的新密码：")
        if getpass.getpass("再输入一次：") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    problem = weakness(password, args.userid)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1

    async def run() -> bool:
        from datetime import datetime, timezone

        from sqlalchemy import update

        engine = db.create_engine(config.database.url)
        try:
            await db.ensure_migrated(engine)
            async with db.session_factory(engine).begin() as session:
                staff = await StaffRepo(session).find(args.userid)
                if staff is None or not staff.active:
                    return False
                now = datetime.now(timezone.utc)
                staff.password_hash = hash_password(password)
                await session.execute(update(ConsoleSession).where(ConsoleSession.staff_userid == args.userid,
                                                                   ConsoleSession.revoked_at.is_(None))
                                      .values(revoked_at=now))
                AuditRepo(session).record(actor="cli", action="console_password_set", target=args.userid, now=now)
            return True
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        print(f"error: {args.userid} is not an active staff member (list them under [staff])", file=sys.stderr)
        return 1
    note = "" if config.console.password_login else "（注意：console.password_login 未开启，密码登录暂不可用）"
    print(f"{args.userid} 的控制台密码已设置，原有登录已全部结束。{note}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from persona import PersonaError

    try:
        return int(args.func(args))
    except (ConfigError, PersonaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
