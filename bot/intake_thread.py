"""The callback intake on a thread and event loop of its own (`[server] intake_thread`, with the journal).

Why: on one event loop an ack that arrives while a worker runs a synchronous chunk (an ORM flush,
a rendering, a batch of handlers between two awaits) waits for the whole chunk: tens of
milliseconds (bench/README.md, the loop's long slices). On a thread of its own the intake waits at
most the interpreter's switch interval (5 ms) for the GIL each time it needs it, whatever the
workers do. The ack never touches the database: it waits for its fsync'd journal record
(bot/journal.py), and the journal's drain, also on this thread, hands each batch to the main loop
for the INSERT (the engine and its connection belong there).

The intake thread owns the bot's listening socket. It answers `/wecom/callback` itself and
forwards every other request (/healthz, /metrics, the console, feature routes) to the main app,
which listens on a Unix socket of its own in a private directory; the request keeps its Host and
its client's address (`forwarded_peer`), which the console's origin check and rate limits read."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from concurrent.futures import Future
from typing import Awaitable, Callable, TypeVar

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from bot.server import callback_routes
from bot.speedups import loop_factory

log = logging.getLogger(__name__)

T = TypeVar("T")
PEER_HEADER = "X-Wanzi-Peer"  # the client's address, set by the intake thread (the console's rate limits use it)
HOP_HEADERS = frozenset(h.lower() for h in ("Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade",
                                            "Proxy-Authorization", "Proxy-Authenticate", "Trailer",
                                            "Content-Length", PEER_HEADER))


@web.middleware
async def forwarded_peer(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
    """On the main app: a request that came over the private Unix socket (only the intake thread can
    connect: its directory is the process's own, mode 0700) keeps its client's address."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    peer = request.headers.get(PEER_HEADER)
    if isinstance(sockname, str) and peer is not None:
        request = request.clone(remote=peer)
    return await handler(request)


def on_loop(loop: asyncio.AbstractEventLoop, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
    """Run a coroutine on another thread's loop and await its result from this one."""
    async def run() -> T:
        return await make()
    return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(run(), loop))


class IntakeThread:
    """Started once the main app has started (its intake, inbox and metrics exist); stopped first."""

    def __init__(self, main_app: web.Application, sock: socket.socket, main_socket: str) -> None:
        self.main_app = main_app
        self.sock = sock
        self.main_socket = main_socket  # the Unix socket the main app listens on
        self.main_loop = asyncio.get_running_loop()
        from bot.appkeys import CONFIG

        self.loop = loop_factory(main_app[CONFIG].server.event_loop)()  # the kind the main thread runs on
        self._thread = threading.Thread(target=self._run, name="intake", daemon=True)
        self._ready: Future[None] = Future()
        self._stopped: asyncio.Event | None = None
        self._forward: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._thread.start()
        await asyncio.wrap_future(self._ready)

    async def stop(self) -> None:
        if self._stopped is not None:
            self.loop.call_soon_threadsafe(self._stopped.set)
        await asyncio.to_thread(self._thread.join, 30)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 (start-up failed: the main thread must hear it)
            if not self._ready.done():
                self._ready.set_exception(exc)
            else:
                log.exception("intake thread stopped")
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        from bot import appkeys as keys

        main = self.main_app
        app = web.Application(client_max_size=main[keys.CONFIG].server.max_body_bytes)
        app[keys.CONFIG], app[keys.CRYPTO], app[keys.CLOCK] = main[keys.CONFIG], main[keys.CRYPTO], main[keys.CLOCK]
        app[keys.METRICS], app[keys.INTAKE], app[keys.INBOX] = main[keys.METRICS], main[keys.INTAKE], main[keys.INBOX]
        app.router.add_routes(callback_routes(app))
        app.router.add_route("*", "/{tail:.*}", self._to_main)
        self._forward = aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=self.main_socket),
                                              auto_decompress=False)
        intake = main[keys.INTAKE]
        inbox = main[keys.INBOX]

        def wake_inbox(codes: bool) -> None:  # asyncio's Event is not thread-safe: set on its own loop
            self.main_loop.call_soon_threadsafe(lambda: inbox.wake(code=codes))

        drain = asyncio.create_task(intake.drain_forever(
            wake_inbox,
            store=lambda records: on_loop(self.main_loop, lambda: intake.store_drained(records))),
            name="intake-drain")
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.SockSite(runner, self.sock)
        await site.start()
        self._stopped = asyncio.Event()
        self._ready.set_result(None)
        try:
            await self._stopped.wait()
        finally:
            await runner.cleanup()
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)
            await self._forward.close()

    async def _to_main(self, request: web.Request) -> web.StreamResponse:
        """Any other request, to the main app as it came (the main app answers it on its own loop)."""
        assert self._forward is not None
        headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in HOP_HEADERS)  # Host kept
        headers[PEER_HEADER] = request.remote or ""
        body = await request.read()
        async with self._forward.request(request.method, f"http://main{request.rel_url}", headers=headers,
                                         data=body or None, allow_redirects=False) as answer:
            data = await answer.read()
            out = CIMultiDict((k, v) for k, v in answer.headers.items()  # each Set-Cookie kept
                              if k.lower() not in HOP_HEADERS)
            return web.Response(status=answer.status, body=data, headers=out)


__all__ = ["IntakeThread", "forwarded_peer", "on_loop"]
