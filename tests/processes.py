"""Real `wanzi serve` and `wanzi sandbox` processes for replica, crash and sandbox tests."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboundEvent, OutboxItem
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


READY = b"Press Ctrl+C to stop."  # the sandbox's banner ends so once both its ports are bound
STARTS = 3  # a start whose port another process of the run took meanwhile is tried again on other ports


@asynccontextmanager
async def sandbox(db: Path, *, env: dict[str, str] | None = None, printed: Path | None = None
                  ) -> AsyncIterator[tuple[asyncio.subprocess.Process, int, int]]:
    """`wanzi sandbox` as a person starts it (none of the test run's WANZI_* settings, only `env`),
    yielding (process, bot port, emulator port) once its banner says it is running; stopped with Ctrl+C
    (SIGINT) on the way out. What it prints to the terminal (stderr) goes to `printed` when given.
    `free_port()` frees the port it found before the sandbox binds it: a server another test process
    started meanwhile may take it (once seen in a suite run as halves side by side: the health check
    answered by that server, the sandbox gone). A sandbox that exits before its banner is started again
    on other ports."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WANZI_")}
    terminal_path = printed or db.with_name(db.name + ".terminal.txt")
    for start in range(STARTS):
        bot_port, emu_port = free_port(), free_port()
        with open(terminal_path, "wb") as terminal:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "sandbox", "--port", str(bot_port), "--emulator-port",
                str(emu_port), "--db", str(db), env={**clean, **(env or {})}, cwd=ROOT,
                stdout=asyncio.subprocess.DEVNULL, stderr=terminal)
        await wait_until(functools.partial(_started, proc, terminal_path), timeout=120)
        if proc.returncode is None or start == STARTS - 1:
            break
    try:
        yield proc, bot_port, emu_port
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except asyncio.TimeoutError:
                proc.kill()


async def _started(proc: asyncio.subprocess.Process, terminal: Path) -> bool:
    """The sandbox printed its banner, or it exited (True either way: stop waiting)."""
    return proc.returncode is not None or READY in terminal.read_bytes()


def write_config(path: Path, *, db_url: str, api_base: str, port: int, retry_base_s: float | None = 0.05,
                 lease_s: float | None = 3.0, **extra: str) -> Path:
    """A `wanzi serve` config against the emulator; `None` for retry_base_s or lease_s keeps the shipped default."""
    from emulator import EmulatorConfig

    cfg = EmulatorConfig()
    lines = [
        "[server]", 'host = "127.0.0.1"', f"port = {port}",
        "[wecom]", f'corp_id = "{cfg.corp_id}"', f'token = "{cfg.callback_token}"',
        f'encoding_aes_key = "{cfg.encoding_aes_key}"', f"agent_id = {cfg.agent_id}",
        f'app_secret = "{cfg.secrets["app"]}"', f'contact_secret = "{cfg.secrets["contact"]}"',
        f'kf_secret = "{cfg.secrets["kf"]}"', f'api_base = "{api_base}"',
        *([f"retry_base_s = {retry_base_s}"] if retry_base_s is not None else []),
        "[database]", f'url = "{db_url}"',
        "[worker]", "poll_interval_s = 0.2", *([f"lease_s = {lease_s}"] if lease_s is not None else []),
    ]
    for key, value in extra.items():
        lines.append(f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n")
    return path


class Replica:
    """One `wanzi serve` process; stop() is SIGTERM, kill() is SIGKILL."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log_path = config, port, log
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Replica:
        log = open(self.log_path, "ab")
        proc = self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", cwd=ROOT, env={**os.environ, "WANZI_CONFIG": str(self.config)},
            stdout=log, stderr=log, start_new_session=True)
        log.close()
        async with aiohttp.ClientSession() as http:
            async def up_or_exited() -> str:
                if proc.returncode is not None:
                    return "exited"
                try:
                    async with http.get(f"{self.url}/healthz") as r:
                        return "up" if r.status == 200 else ""
                except aiohttp.ClientError:
                    return ""

            if await wait_until(up_or_exited) == "up":
                return self
        raise RuntimeError(f"replica did not start: {self.log_path.read_text()[-800:]}")

    async def _signal(self, sig: int) -> None:
        if self.proc and self.proc.returncode is None:
            os.killpg(self.proc.pid, sig)
            await asyncio.wait_for(self.proc.wait(), 15)

    async def stop(self) -> None:
        await self._signal(signal.SIGTERM)

    async def kill(self) -> None:
        await self._signal(signal.SIGKILL)


async def all_processed(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the bot processes are done with everything they accepted: every inbound event
    processed and no outbox row waiting or being sent (a kf pull stores what it fetched before it
    marks its notice done, and a row is `sending` until its call has returned)."""
    async with sessions() as s:
        pending_in = await s.scalar(select(func.count()).select_from(InboundEvent)
                                    .where(InboundEvent.status != "done"))
        pending_out = await s.scalar(select(func.count()).select_from(OutboxItem)
                                     .where(OutboxItem.status.in_(["pending", "sending"])))
    return pending_in == 0 and pending_out == 0
