"""`wanzi sandbox`: the bot, the WeCom emulator and its chat console on localhost, on SQLite.

Nothing here is special-cased in the bot: it runs `create_app` exactly as `wanzi serve` does,
with `api_base` pointing at the emulator and the emulator's callbacks pointing at the bot.
A restart on the kept database keeps the emulated corp too, in a file beside it (emulator/snapshot.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import config_from, create_app, stopping
from bot.config import Config
from bot.config.loading import read_file
from bot.config.writing import as_toml
from bot.instance import bind_port
from bot.logs import setup_logging
from emulator import Emulator, EmulatorConfig
from emulator.snapshot import SnapshotFile, SnapshotUnusable

log = logging.getLogger(__name__)


def emulator_settings(cfg: EmulatorConfig, *, api_base: str, host: str, port: int,
                      db_url: str) -> dict[str, dict[str, Any]]:
    """Bot settings (as parsed TOML) for talking to an emulated corp; also used by benchmarks."""
    staff = list(cfg.staff)
    return {
        "server": {"host": host, "port": port, "public_url": f"http://{host}:{port}"},
        "wecom": {"corp_id": cfg.corp_id, "token": cfg.callback_token, "encoding_aes_key": cfg.encoding_aes_key,
                  "agent_id": cfg.agent_id, "app_secret": cfg.secrets["app"],
                  "contact_secret": cfg.secrets["contact"], "kf_secret": cfg.secrets["kf"],
                  "api_base": api_base, "oauth_base": api_base, "login_base": api_base,
                  "webhook_key": cfg.webhook_keys[0],
                  "open_kfid": next(iter(cfg.kf_accounts))},
        "database": {"url": db_url},
        "worker": {"poll_interval_s": 0.5},
        "staff": {"admins": staff[:1], "operators": staff[1:2], "advisors": staff[2:],
                  "names": [f"{userid}={name}" for userid, name in cfg.staff.items()]},
        "log": {"json": False},
    }


def as_env(settings: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The same settings as WANZI_<SECTION>__<KEY> variables, for a `wanzi serve` child process."""
    out = {}
    for section, values in settings.items():
        for key, value in values.items():
            if isinstance(value, (list, tuple)):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out[f"WANZI_{section.upper()}__{key.upper()}"] = str(value)
    return out


# What the sandbox keeps its own when a shop's config is given (`wanzi sandbox --config FILE`): the emulated
# corp, its staff, the sandbox's database and pages. Every other section of the file is the shop's.
SANDBOX_SECTIONS = frozenset({"server", "wecom", "database", "console", "staff", "log"})


def sandbox_config(emu_config: EmulatorConfig, *, api_base: str, host: str, port: int, db_path: str,
                   shop: Mapping[str, Any] | None = None) -> Config:
    """The bot's config for talking to an emulator at `api_base`; WANZI_* env vars may still override.
    `shop`: a shop's own config file (parsed), whose sections but SANDBOX_SECTIONS replace the demo's.

    Staff sign in to the console through the emulated WeCom; it has a 沙盒 page showing the
    emulator's chat console."""
    data = emulator_settings(emu_config, api_base=api_base, host=host, port=port,
                             db_url=f"sqlite+aiosqlite:///{Path(db_path).resolve()}")
    advisor = list(emu_config.staff)[2]
    # A demo channel so a person sees channel welcomes, tags and stages; quiet hours off so that
    # stage pushes show at night too (a real corp keeps the persona's quiet hours).
    data["channels"] = {"spring_sale": {"tags": ["渠道:春日焕新"], "stage": "new", "advisor": advisor,
                                        "link_title": "春日焕新季 · 新人券", "link_url": "https://example.invalid/spring",
                                        "link_desc": "满199减30，14天内有效"}}
    data["antispam"] = {"quiet_hours": "off"}
    data.update(demo_community(list(emu_config.staff)[0]))
    data["console"] = {"sandbox_url": f"{api_base}/console",  # staff sign in through the emulated WeCom
                       # the chat sidebar loads the emulator's stand-in JS-SDK (emulator/README.md)
                       "jssdk_url": f"{api_base}/open/js/jweixin-1.2.0.js",
                       "jwxwork_url": f"{api_base}/wwopen/js/jwxwork-1.0.0.js"}
    data.update({name: table for name, table in (shop or {}).items() if name not in SANDBOX_SECTIONS})
    return config_from(data, os.environ)


def sandbox_corp(config: Config, base: EmulatorConfig) -> EmulatorConfig:
    """The emulated corp as the sandbox's config needs it: its channels are offered when a tester
    adds a friend, and every staff member is a servicer of its kf account (any of them may be on
    duty or claim a ticket, and WeCom refuses a chat to anyone else: 95014)."""
    staff = config.staff
    servicers = tuple(dict.fromkeys([*staff.admins, *staff.operators, *staff.advisors]))
    channels = tuple(config.values.get("channels") or {})
    trusted = base.trusted_domains
    if config.server.host not in ("127.0.0.1", "localhost"):  # the bot's pages, for sign-in and the sidebar
        trusted = (*trusted, f"{config.server.host}:{config.server.port}")
    return dataclasses.replace(base, channel_states=channels, trusted_domains=trusted,
                               kf_account_servicers={config.wecom.open_kfid: servicers},
                               sidebar_url=f"http://{config.server.host}:{config.server.port}/console/sidebar")


SANDBOX_ORDERS_SECRET = "sandbox-orders-secret"


def demo_community(staff: str) -> dict[str, dict[str, object]]:
    """A small community to try in the console: "打卡", "补卡", "我的积分", "邀请有礼", topics.

    The camp starts today (Shanghai), so a fresh sandbox always has a running one."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    return {
        "community": {"groups": [{"key": "skincare", "name": "柚见护肤同好会", "tag": "护肤",
                                  "chat_name_contains": "护肤"}],
                      "schedules": [{"group": "skincare", "cron": "0 20 * * *"}],
                      "topics": [{"group": "skincare", "text": "换季了，大家的护肤步骤有什么变化吗？"},
                                 {"group": "skincare", "text": "分享一个你最近爱用的小物～"}]},
        "checkin": {"window": "00:00-24:00",
                    "campaigns": [{"key": "demo7", "name": "7天早睡打卡", "start": today, "days": 7,
                                   "milestones": [{"day": 3, "points": 10, "badge": "早睡3天"},
                                                  {"day": 7, "points": 30, "coupon": "满99减10券"}]}]},
        "points": {"levels": [{"name": "柚芽", "min": 0, "rights": "生日祝福"},
                              {"name": "柚苗", "min": 10, "rights": "新品试用优先"},
                              {"name": "金柚", "min": 100, "rights": "专属顾问、每月会员礼", "tags": ["会员:金柚"]}],
                   "per_yuan": 1, "birthday_greeting": True, "advisor_from_level": "金柚", "gift_levels": ["金柚"],
                   "rewards": [{"key": "sample_kit", "name": "柚子小样礼包", "cost": 30, "stock": 20},
                               {"key": "coupon_10", "name": "10元无门槛券", "cost": 1000, "stock": 50,
                                "ships": False}]},
        # POST /api/orders signs with this (README "Members"); a sandbox value, never a real one
        "orders": {"secret": SANDBOX_ORDERS_SECRET},
        "referral": {"campaigns": [{"key": "demo_invite", "name": "邀请有礼", "staff": staff,
                                    "tiers": [{"invites": 3, "gift": "旅行装1套", "points": 10},
                                              {"invites": 5, "gift": "正装面霜1瓶"}]}]},
    }


def write_cli_config(config: Config, path: Path) -> None:
    """The config the sandbox runs with, for the CLI (`wanzi outbox list`, `wanzi digest`): its
    database and settings, no secrets (the CLI needs none of them to read the sandbox's database)."""
    header = ("# Written by `wanzi sandbox`: the config it runs with, for the CLI, e.g.\n"
              f"#   WANZI_CONFIG={shown(path)} wanzi outbox list\n"
              "# Secrets (callback token and key, app secrets, robot key) are left out.\n\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(header + as_toml(config))


def shown(path: Path) -> str:
    return str(path) if path.is_absolute() else f"./{path}"


def snapshot_path(db_path: str) -> Path:
    """Where the emulated corp is kept: beside the database (sandbox.db → sandbox.emulator.json)."""
    return Path(db_path).with_suffix(".emulator.json")


def restore_emulator(emu: Emulator, snapshot: SnapshotFile, db_path: Path) -> str:
    """Give the emulator the corp of the last run when the bot's database is kept too; the banner's
    note on what was kept. A new database ignores an old snapshot (its customers are not the bot's)."""
    where = {"path": str(snapshot.path)}
    if not db_path.exists():
        if snapshot.path.exists():
            snapshot.path.unlink()
            log.info("emulator snapshot removed: the database is new", extra=where)
        return ""
    try:
        emu.corp = snapshot.load(emu.config, emu.clock)  # before start(): nothing holds the empty corp yet
    except SnapshotUnusable as exc:
        log.warning("emulator snapshot ignored: the emulated WeCom starts empty", extra={**where, "reason": str(exc)})
        return KEPT_DB_NOTE.format(snapshot=shown(snapshot.path), why=exc)
    log.info("emulated WeCom restored", extra={**where, "customers": len(emu.corp.contacts.customers)})
    return KEPT_NOTE.format(db=shown(db_path), snapshot=shown(snapshot.path))


def save_emulator(snapshot: SnapshotFile, emu: Emulator, *, quiet: bool = False) -> bool:
    """Write the corp when it changed since the last save; False (and a log line unless `quiet`) when
    the file cannot be written: the sandbox goes on, it only keeps less."""
    try:
        snapshot.save(emu.corp)
    except OSError as exc:
        if not quiet:
            log.warning("emulator snapshot not saved", extra={"path": str(snapshot.path), "error": str(exc)})
        return False
    return True


async def keep_emulator_saved(snapshot: SnapshotFile, emu: Emulator, every_s: float) -> None:
    """Save every `every_s` seconds when the emulator served a request that may have changed the corp,
    so a killed sandbox loses little and an idle one (the console polling) writes nothing; a failure
    is said once, not once a second."""
    saved, seen = True, -1
    while True:
        await asyncio.sleep(every_s)
        if emu.changes != seen:
            seen = emu.changes
            saved = save_emulator(snapshot, emu, quiet=not saved)


async def serve_sandbox(host: str, port: int, emulator_port: int, db_path: str, config_path: str = "",
                        shop_config: str = "") -> None:
    base = EmulatorConfig()
    api_base = f"http://{host}:{emulator_port}"
    shop = read_file(shop_config) if shop_config else None
    config = sandbox_config(base, api_base=api_base, host=host, port=port, db_path=db_path, shop=shop)
    setup_logging(config.log.level, config.log.json, sql=config.database.echo)
    emu = Emulator(sandbox_corp(config, base))
    snapshot = SnapshotFile(snapshot_path(db_path))
    kept_note = restore_emulator(emu, snapshot, Path(db_path))
    await emu.start(host, emulator_port)
    if emu.base_url != api_base:  # e.g. port 0: the bot must call the port the emulator got
        config = config.replace(wecom={"api_base": emu.base_url, "oauth_base": emu.base_url,
                                       "login_base": emu.base_url},
                                console={"sandbox_url": f"{emu.base_url}/console",
                                         "jssdk_url": f"{emu.base_url}/open/js/jweixin-1.2.0.js",
                                         "jwxwork_url": f"{emu.base_url}/wwopen/js/jwxwork-1.0.0.js"})
    cli_config = Path(config_path) if config_path else Path(db_path).with_suffix(".toml")
    write_cli_config(config, cli_config)
    sock = bind_port(host, port)  # before start-up, as `wanzi serve` does (bot/instance.py)
    runner = web.AppRunner(create_app(config, migrate=True, take_over=True), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    emu.connect(f"http://{host}:{port}/wecom/callback")
    status, body, expected = await emu.verify_url()
    verified = "verified" if status == 200 and body == expected else f"NOT verified ({status})"
    group_note = await seed_demo_group(emu, config)
    print(f"""
  Wanzi sandbox is running (SQLite: {Path(db_path).resolve()})

    chat console   {emu.base_url}/console      ← open this in a browser
    staff console  http://{host}:{port}/console   (sign in with 企业微信扫码登录: pick who you are)
    chat sidebar   http://{host}:{port}/console/sidebar  (open it beside a chat: chat console → 聊天工具栏)
    bot            http://{host}:{port}        (callback URL {verified}; /healthz, /metrics)
    fake WeCom API {emu.base_url}/cgi-bin/
    CLI            WANZI_CONFIG={shown(cli_config)} wanzi outbox list   (the sandbox's config, no secrets)

  Staff: {', '.join(f'{u} ({config_role(config, u)})' for u in emu.config.staff)}
{group_note}{shop_note(shop_config, config)}{kept_note}  Press Ctrl+C to stop.
""", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping, stop)
    saving = asyncio.create_task(keep_emulator_saved(snapshot, emu, SAVE_EVERY_S))
    try:
        await stop.wait()
    finally:
        saving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await saving
        await runner.cleanup()
        await emu.stop()
        save_emulator(snapshot, emu)  # after the bot stopped: its last calls are in


SAVE_EVERY_S = 1.0

# Said at start, not found out from a staff member's failed /answer (the sandbox trial of 2026-12-05:
# a new emulator beside a kept database refused an answer to an earlier customer, 95031).
KEPT_NOTE = ("  Kept the last run: the bot's data ({db}) and the emulated WeCom ({snapshot}),\n"
             "  so earlier customers, friends and chats are still there (make clean, or delete the .db file,\n"
             "  for a clean start).\n")
KEPT_DB_NOTE = ("  Kept the bot's data of an earlier run, but not the emulated WeCom ({snapshot}: {why}),\n"
                "  so it starts empty: earlier customers must write again before the bot can reach them\n"
                "  (make clean, or delete the .db file, for a clean start).\n")


DEMO_GROUP_CUSTOMERS = 2


async def seed_demo_group(emu: Emulator, config: Config) -> str:
    """A new emulated corp gets one customer group for the first interest group (its name holds the group's
    `chat_name_contains`, so the bot links it), owned by an operator, with two customers who joined by its QR
    code: topic posts, the 群发助手 and the group sidebar can be tried at once (the sandbox trial of the
    2026-12-05 midnight session: no group existed, so nothing of the groups could be seen). The banner's line."""
    from handlers.topics.config import CommunityConfig

    groups = config.of(CommunityConfig).groups
    if emu.corp.groups.chats or not groups:
        return ""
    spec = groups[0]
    name = f"{spec.name}1群"
    if spec.chat_name_contains not in name:
        name = f"{spec.chat_name_contains}{name}"
    staff = list(emu.config.staff)
    owner = next((u for u in staff if config_role(config, u) == "operator"), staff[0])
    chat_id = emu.corp.ids.make("wr", 32)
    await emu.create_group(chat_id, owner, name)
    await emu.customers_join_group(chat_id, [emu.corp.ids.make("wm", 32) for _ in range(DEMO_GROUP_CUSTOMERS)])
    return (f"  Customer group: {name} (owner {owner}, {DEMO_GROUP_CUSTOMERS} customers); posts to it wait in\n"
            f"  the chat console's 群发助手 until the owner taps 发送, as in the WeCom client.\n")


def config_role(config: Config, userid: str) -> str:
    s = config.staff
    return "admin" if userid in s.admins else "operator" if userid in s.operators else \
        "advisor" if userid in s.advisors else "no role"


def shop_note(shop_config: str, config: Config) -> str:
    """The banner's line on whose shop this is, when a shop's config was given."""
    if not shop_config:
        return ""
    from handlers.wiring import faq_file

    own = ", ".join(sorted(SANDBOX_SECTIONS))
    return (f"  Shop: {shop_config} (persona {config.persona.path or config.persona.preset}, knowledge base "
            f"{faq_file(config) or 'the persona file'}; the sandbox keeps its own {own})\n")


def run_sandbox(*, host: str, port: int, emulator_port: int, db_path: str, config_path: str = "",
                shop_config: str = "") -> int:
    asyncio.run(serve_sandbox(host, port, emulator_port, db_path, config_path, shop_config))
    return 0
