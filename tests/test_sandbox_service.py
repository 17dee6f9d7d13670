"""The sandbox's emulated corp matches the sandbox's config: its channels are offered when adding a
friend, and every staff member who can take a ticket is a servicer of its kf account."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.processes import sandbox
from tests.test_sandbox import wait_until


async def test_the_sandbox_emulator_knows_its_channels_and_servicers(tmp_path: Path) -> None:
    async with sandbox(tmp_path / "sandbox.db") as (_, bot_port, emu_port):
        async with aiohttp.ClientSession() as http:
            async def state() -> dict | None:
                try:
                    async with http.get(f"http://127.0.0.1:{emu_port}/console/api/state") as r:
                        return await r.json() if r.status == 200 else None
                except aiohttp.ClientError:
                    return None

            found = await wait_until(state)
            assert found, "sandbox did not come up"
            assert "spring_sale" in found["contact_states"]
            (account,) = found["kf_accounts"]
            servicers = {s["userid"] for s in account["servicers"]}
            assert {s["userid"] for s in found["staff"]} <= servicers
