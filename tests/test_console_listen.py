"""`[console] listen`: the console on its own address (e.g. only on the intranet), the bot's public
port without it, and the callback never on the console's address."""

from __future__ import annotations

from aiohttp import web

from tests.harness import BotUnderTest, make_config
from tests.processes import free_port


async def test_the_console_answers_only_on_its_own_address(db_url, wecom, clock) -> None:
    port = free_port()
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, console={"listen": f"127.0.0.1:{port}"}), clock)
    try:
        await web.TCPSite(bot.runner, "127.0.0.1", port).start()  # what `wanzi serve` adds for `listen`
        console = f"http://127.0.0.1:{port}"
        async with bot.http.get(f"{console}/console/login") as r:
            assert r.status == 200 and "企业微信" in await r.text()
        async with bot.http.get(f"{bot.url}/console/login") as r:
            assert r.status == 404  # the public port shows no console at all
        async with bot.http.post(f"{console}/wecom/callback", data=b"<xml/>") as r:
            assert r.status == 404  # and the console's address takes no callbacks
        for base in (bot.url, console):
            async with bot.http.get(f"{base}/healthz") as r:
                assert r.status == 200
    finally:
        await bot.stop()
