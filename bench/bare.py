"""The bare stack: aiohttp + the same crypto + XML parse + empty ack, no storage, no work.

The reference point for the full pipeline's overhead (bench/callbacks.py). `python -m bench.bare PORT [LOOP]`:
LOOP "uvloop" runs it on uvloop (BENCH_BARE_LOOPS, bench/README.md "Twenty-seventh slice"), as the bot with
`[server] event_loop = "uvloop"`; asyncio's loop otherwise."""

from __future__ import annotations

import sys

from aiohttp import web

from bot.errors import CallbackRejected
from bot.speedups import loop_factory
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.events import parse_callback
from bot.wecom.xml import parse_xml, xml_fields
from emulator import EmulatorConfig


def make_app() -> web.Application:
    cfg = EmulatorConfig()
    crypto = CallbackCrypto(cfg.callback_token, cfg.encoding_aes_key, cfg.corp_id)

    async def receive(request: web.Request) -> web.Response:
        q = request.query
        try:
            outer = xml_fields(parse_xml(await request.read()))
            encrypt = str(outer.get("Encrypt", ""))
            crypto.verify(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypt)
            parse_callback(xml_fields(parse_xml(crypto.decrypt(encrypt))))
        except CallbackRejected:
            return web.Response(status=400)
        return web.Response(text="")

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/wecom/callback", receive)
    app.router.add_get("/healthz", health)
    return app


if __name__ == "__main__":
    loop = loop_factory(sys.argv[2] if len(sys.argv) > 2 else "asyncio")()
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=lambda *_: None,
                loop=loop)
