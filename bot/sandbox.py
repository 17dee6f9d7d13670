"""`wanzi sandbox`: the bot, the WeCom emulator and its chat console on localhost, on SQLite.

Nothing here is special-cased in the bot: it runs `create_app` exactly as `wanzi serve` does,
with `api_base` pointing at the emulator and the emulator's callbacks pointing at the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import config_from, create_app
from bot.config import Config
from bot.logs import setup_logging
from emulator import Emulator, EmulatorConfig
from emulator.oauth import trusted


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


def sandbox_config(emu: Emulator, *, host: str, port: int, db_path: str) -> Config:
    """The bot's config for talking to this emulator; WANZI_* env vars may still override.

    The staff console gets a fresh random password each start (printed), unless
    WANZI_CONSOLE__PASSWORD sets one, and a 沙盒 page showing the emulator's chat console."""
    data = emulator_settings(emu.config, api_base=emu.base_url, host=host, port=port,
                             db_url=f"sqlite+aiosqlite:///{Path(db_path).resolve()}")
    advisor = list(emu.config.staff)[2]
    # A demo channel so a person sees channel welcomes, tags and stages; quiet hours off so that
    # stage pushes show at night too (a real corp keeps the persona's quiet hours).
    data["channels"] = {"spring_sale": {"tags": ["渠道:春日焕新"], "stage": "new", "advisor": advisor,
                                        "link_title": "春日焕新季 · 新人券", "link_url": "https://example.invalid/spring",
                                        "link_desc": "满199减30，14天内有效"}}
    data["antispam"] = {"quiet_hours": "off"}
    data.update(demo_community(list(emu.config.staff)[0]))
    data["console"] = {"sandbox_url": f"{emu.base_url}/console",  # staff sign in through the emulated WeCom
                       # the chat sidebar loads the emulator's stand-in JS-SDK (emulator/README.md)
                       "jssdk_url": f"{emu.base_url}/open/js/jweixin-1.2.0.js",
                       "jwxwork_url": f"{emu.base_url}/wwopen/js/jwxwork-1.0.0.js"}
    return config_from(data, os.environ)


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
                              {"name": "金柚", "min": 100, "rights": "专属顾问"}]},
        "referral": {"campaigns": [{"key": "demo_invite", "name": "邀请有礼", "staff": staff,
                                    "tiers": [{"invites": 3, "gift": "旅行装1套", "points": 10},
                                              {"invites": 5, "gift": "正装面霜1瓶"}]}]},
    }


def sandbox_emulator_config(host: str, port: int) -> EmulatorConfig:
    """The emulated corp of a sandbox: the bot's chat-toolbar page beside its chats, on a trusted domain."""
    cfg = EmulatorConfig(sidebar_url=f"http://{host}:{port}/console/sidebar")
    if not trusted(cfg.sidebar_url, cfg.trusted_domains):  # e.g. --host 192.168.1.20 for a phone on the LAN
        cfg = replace(cfg, trusted_domains=(*cfg.trusted_domains, f"{host}:{port}"))
    return cfg


async def serve_sandbox(host: str, port: int, emulator_port: int, db_path: str) -> None:
    emu = Emulator(sandbox_emulator_config(host, port))
    await emu.start(host, emulator_port)
    config = sandbox_config(emu, host=host, port=port, db_path=db_path)
    setup_logging(config.log.level, config.log.json)
    runner = web.AppRunner(create_app(config, migrate=True), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    emu.connect(f"http://{host}:{port}/wecom/callback")
    status, body, expected = await emu.verify_url()
    verified = "verified" if status == 200 and body == expected else f"NOT verified ({status})"
    print(f"""
  Wanzi sandbox is running (SQLite: {Path(db_path).resolve()})

    chat console   {emu.base_url}/console      ← open this in a browser
    staff console  http://{host}:{port}/console   (sign in with 企业微信扫码登录: pick who you are)
    chat sidebar   http://{host}:{port}/console/sidebar  (open it beside a chat: chat console → 聊天工具栏)
    bot            http://{host}:{port}        (callback URL {verified}; /healthz, /metrics)
    fake WeCom API {emu.base_url}/cgi-bin/

  Staff: {', '.join(f'{u} ({config_role(config, u)})' for u in emu.config.staff)}
  Press Ctrl+C to stop.
""", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await emu.stop()


def config_role(config: Config, userid: str) -> str:
    s = config.staff
    return "admin" if userid in s.admins else "operator" if userid in s.operators else \
        "advisor" if userid in s.advisors else "no role"


def run_sandbox(*, host: str, port: int, emulator_port: int, db_path: str) -> int:
    asyncio.run(serve_sandbox(host, port, emulator_port, db_path))
    return 0
