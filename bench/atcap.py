"""More than a minute's cap of one API through the real client against the emulator, both at the same
cap: `.venv/bin/python -m bench.atcap [--cap N] [--calls M] [--connections C] [--latency S]` (run on its
own; about two minutes at the defaults, 300 a minute and 700 calls).

Prints how many calls WeCom (the emulator) answered with 45009 and when the calls around each cap's
worth were answered: the whole cap goes at once (as fast as C connections at S seconds a call carry
it), the next call about 61 s after the first left, as the client counts each call when it leaves."""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

from bot.wecom.client import WeComClient
from emulator import Emulator, EmulatorConfig
from tests.harness import make_config


async def at_cap(cap: int, calls: int, connections: int, latency: float) -> None:
    emu = Emulator(EmulatorConfig(api_per_minute=cap, api_latency_s=latency))
    await emu.start()
    try:
        config = make_config("sqlite+aiosqlite:///:memory:", emu.base_url,
                             wecom={"rate_per_minute": cap, "rate_per_hour": 0, "max_concurrency": connections,
                                    "max_retries": 0})
        done: list[float] = []
        errors: list[str] = []
        async with aiohttp.ClientSession() as http:
            client = WeComClient(config.wecom, http)
            started = time.monotonic()

            async def one() -> None:
                try:
                    await client.call("externalcontact/get_corp_tag_list", {})
                    done.append(time.monotonic() - started)
                except Exception as exc:  # counted and printed: the run is about refusals
                    errors.append(repr(exc))

            await asyncio.gather(*(one() for _ in range(calls)))
        codes = [c.errcode for c in emu.calls("get_corp_tag_list")]
        print(f"cap {cap} a minute, {calls} calls, {connections} connections, {latency * 1000:.0f} ms a call: "
              f"answered {len(done)}, failed {len(errors)}, 45009 from WeCom {codes.count(45009)}")
        done.sort()
        for n in range(cap, len(done), cap):
            print(f"  call {n} answered at {done[n - 1]:.2f} s, call {n + 1} at {done[n]:.2f} s")
    finally:
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cap", type=int, default=300)
    parser.add_argument("--calls", type=int, default=700)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(at_cap(args.cap, args.calls, args.connections, args.latency))


if __name__ == "__main__":
    main()
