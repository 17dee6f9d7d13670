"""The sidebar page itself: no inline script, a Content-Security-Policy that admits only the
configured JS-SDK hosts (and only on the sidebar), never framed except by the sandbox's chat console,
and `wanzi sandbox` wiring the emulator's sidebar and stand-in scripts to it."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.errors import ConfigError
from bot.sandbox import sandbox_config, sandbox_corp
from emulator import EmulatorConfig
from emulator.oauth import trusted
from tests.console_kit import ConsoleClient
from tests.harness import make_config
from tests.sidebar_kit import Sidebar, start


def directives(csp: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in csp.split(";") if d.strip()}


async def test_the_page_loads_the_js_sdk_from_the_configured_hosts_only(sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na")
    console = await ConsoleClient.login(bot.url, user="li.na")
    try:
        async with sidebar.http.get(f"{bot.url}/console/sidebar") as r:
            page, csp = await r.text(), directives(r.headers["Content-Security-Policy"])
            assert r.headers["X-Frame-Options"] == "DENY"
        assert csp["script-src"] == f"'self' {wecom.base_url}" == csp["connect-src"]
        assert csp["frame-ancestors"] == "'none'"
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        assert [attrs for attrs, _ in scripts] == [
            f' src="{wecom.base_url}/open/js/jweixin-1.2.0.js"', f' src="{wecom.base_url}/wwopen/js/jwxwork-1.0.0.js"',
            ' src="/console/static/sidebar.js" defer']
        assert all(not body.strip() for _, body in scripts)  # nothing inline
        async with console.http.get(f"{bot.url}/console/account") as r:  # the rest of the console: unchanged
            rest = directives(r.headers["Content-Security-Policy"])
        assert rest["script-src"] == "'self'" and rest["connect-src"] == "'self'"
    finally:
        await console.close()
        await sidebar.close()
        await bot.stop()


async def test_the_real_js_sdk_hosts_are_the_default(sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock, console={"jssdk_url": "https://res.wx.qq.com/open/js/jweixin-1.2.0.js",
                                                          "jwxwork_url": ""})
    sidebar = await Sidebar.open(bot, wecom, "li.na")
    try:
        async with sidebar.http.get(f"{bot.url}/console/sidebar") as r:
            csp = directives(r.headers["Content-Security-Policy"])
            page = await r.text()
        assert csp["script-src"] == "'self' https://res.wx.qq.com"
        assert "jwxwork" not in page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_in_the_sandbox_only_the_chat_console_may_frame_the_sidebar(sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock, console={"sandbox_url": f"{wecom.base_url}/console"})
    sidebar = await Sidebar.open(bot, wecom, "li.na")
    try:
        async with sidebar.http.get(f"{bot.url}/console/sidebar") as r:
            assert directives(r.headers["Content-Security-Policy"])["frame-ancestors"] == f"'self' {wecom.base_url}"
            assert "X-Frame-Options" not in r.headers
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{bot.url}/console/outbox", allow_redirects=False) as r:
                assert directives(r.headers["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    finally:
        await sidebar.close()
        await bot.stop()


def sandbox_emulator_config(host: str, port: int, tmp_path) -> EmulatorConfig:
    """The emulated corp `wanzi sandbox --host HOST --port PORT` runs."""
    base = EmulatorConfig()
    config = sandbox_config(base, api_base="http://127.0.0.1:9", host=host, port=port,
                            db_path=str(tmp_path / "sandbox.db"))
    return sandbox_corp(config, base)


def test_the_sandbox_shows_the_bots_sidebar_beside_its_chats(tmp_path) -> None:
    cfg = sandbox_emulator_config("127.0.0.1", 8080, tmp_path)
    assert cfg.sidebar_url == "http://127.0.0.1:8080/console/sidebar"
    assert trusted(cfg.sidebar_url, cfg.trusted_domains)
    lan = sandbox_emulator_config("192.168.1.20", 8080, tmp_path)  # a phone on the LAN opens it too
    assert trusted(lan.sidebar_url, lan.trusted_domains)


async def test_the_sandbox_points_the_sidebar_at_the_emulators_stand_in_scripts(tmp_path) -> None:
    from emulator import Emulator

    emu = Emulator(sandbox_emulator_config("127.0.0.1", 8080, tmp_path))
    await emu.start()
    try:
        config = sandbox_config(emu.config, api_base=emu.base_url, host="127.0.0.1", port=8080,
                                db_path=str(tmp_path / "sandbox.db"))
        assert config.console.jssdk_url == f"{emu.base_url}/open/js/jweixin-1.2.0.js"
        assert config.console.jwxwork_url == f"{emu.base_url}/wwopen/js/jwxwork-1.0.0.js"
        async with aiohttp.ClientSession() as http:
            for url in (config.console.jssdk_url, config.console.jwxwork_url):
                async with http.get(url) as r:
                    assert r.status == 200 and "wx" in await r.text()
    finally:
        await emu.stop()


def test_a_script_url_that_is_not_http_is_refused_at_start_up(sqlite_url) -> None:
    for bad in ("ftp://res.wx.qq.com/jweixin.js", "https://res.wx.qq.com/a.js; script-src *"):
        with pytest.raises(ConfigError, match="console.jssdk_url"):
            make_config(sqlite_url, console={"jssdk_url": bad})
