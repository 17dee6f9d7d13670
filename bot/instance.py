"""This process as a lease holder: registered, heartbeating, renewing the leases of its work.

Every start registers a fresh instance id (its epoch) under the process's name: the configured
`worker.instance_name`, or host:port. `wanzi serve` binds its port before it registers, and
registering marks earlier starts under the same name stopped, because the process that held that
name is gone (two live processes cannot listen on one host and port; a second `wanzi serve` on a
busy port fails before it could declare anyone dead): whatever it held is taken at once, so a
restart right after a crash loses no welcome. Replicas have different names and never do that to
each other; a replica that dies for good is recognised by its silent heartbeat
(`worker.dead_after_s`), and meanwhile its short deadline-bound leases run out on their own.
In-process apps that bind no port of their own (tests, benchmarks) get a name nobody else has.

The heartbeat also renews the leases of the rows the workers are working on, so a slow but live
process never has a row taken from under it, and counts the live replicas: WeCom's call caps are
per corp, so each replica's client limiter takes its share (`on_replicas`, bot/wecom/client.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import timedelta
from typing import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import WorkerConfig
from storage.leases import WorkerInstanceRepo
from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=7)  # instance rows silent this long are deleted at start-up


def bind_port(host: str, port: int) -> socket.socket:
    """Listen on host:port before start-up (no SO_REUSEPORT): a second process on a port that is in
    use fails here, before it could take over the instance name that goes with it."""
    family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)


def instance_name(config: WorkerConfig, port: int) -> str:
    """The configured name, else host:port. Port 0 (an ephemeral port) names no successor."""
    if config.instance_name:
        return config.instance_name
    host = socket.gethostname()[:80]
    return f"{host}:{port}" if port else f"{host}:pid{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Instance:
    """Holds leases for this process; workers record what they hold so each heartbeat renews it."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, config: WorkerConfig,
                 name: str) -> None:
        self.sessions = sessions
        self.replicas = 1  # live processes sharing the database, counted at start and every heartbeat
        self.on_replicas: Callable[[int], None] = lambda n: None  # the client's limiter takes its share
        self.clock = clock
        self.config = config
        self.name = name
        self.id = uuid.uuid4().hex
        self.outbox: set[int] = set()  # outbox rows in flight here
        self.inbound: set[int] = set()  # inbound events being processed here
        self.kf: set[str] = set()  # kf accounts being pulled here

    async def start(self, *, take_over: bool = True) -> None:
        """Register this start. With `take_over` (the process holds its port, or its configured
        name), earlier starts under the same name are dead from now on."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = WorkerInstanceRepo(session)
            await repo.forget_before(now - FORGET_AFTER)
            superseded = await repo.register(self.id, self.name, now=now, supersede=take_over)
            self._counted(await repo.count_alive(now=now, dead_after_s=self.config.dead_after_s))
        if superseded:
            log.info("took over from an earlier start of this instance", extra={"instance": self.name,
                                                                                "superseded": superseded})

    async def beat(self) -> None:
        """Heartbeat and renew every lease held. If another process declared this one dead (a
        second process under the same name, or a pause longer than dead_after_s), its leases are
        gone: it registers again under a fresh id and goes on without them."""
        now, cfg = self.clock.now(), self.config
        async with self.sessions.begin() as session:
            if not await WorkerInstanceRepo(session).beat(self.id, now=now):
                log.error("this process was declared dead; registering again (is worker.instance_name unique?)",
                          extra={"instance": self.name})
                self.id = uuid.uuid4().hex
                await WorkerInstanceRepo(session).register(self.id, self.name, now=now, supersede=False)
                return
            await OutboxRepo(session).renew(sorted(self.outbox), owner=self.id, now=now, lease_s=cfg.lease_s,
                                            deadline_lease_s=cfg.deadline_lease_s)
            await InboundRepo(session).renew(sorted(self.inbound), owner=self.id, now=now, lease_s=cfg.lease_s)
            await KfCursorRepo(session).renew(sorted(self.kf), owner=self.id, now=now, lease_s=cfg.lease_s)
            self._counted(await WorkerInstanceRepo(session).count_alive(now=now, dead_after_s=cfg.dead_after_s))

    def _counted(self, replicas: int) -> None:
        if replicas != self.replicas:
            log.info("live replicas changed", extra={"instance": self.name, "replicas": replicas})
        self.replicas = max(1, replicas)
        self.on_replicas(self.replicas)

    async def stop(self) -> None:
        """A clean shutdown: whatever is still leased here may be taken at once."""
        async with self.sessions.begin() as session:
            await WorkerInstanceRepo(session).stop(self.id, now=self.clock.now())

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_s)
            try:
                await self.beat()
            except Exception:  # a database blip: the next beat tries again; leases outlast a few misses
                log.exception("heartbeat failed", extra={"instance": self.name})
