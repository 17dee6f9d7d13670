"""The optional speed extra (`pip install 'wanzi[speed]'`, bot/speedups.py): `wanzi serve` on uvloop and the
WeCom API's JSON by orjson when installed and allowed by `[server] event_loop` / `[server] json`; the standard
library otherwise (the suite's default: `.[test]` does not install the extra), and a start-up error naming the
extra when a choice asks for one that is not installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.speedups import STDLIB, installed, json_codec
from bot.wecom.client import WeComClient
from emulator import Emulator, EmulatorConfig
from tests.harness import make_config
from tests.processes import ROOT, Replica, free_port, write_config
from tests.waiting import wait_until

NOT_INSTALLED = "{} is not installed (pip install 'wanzi[speed]'): only the standard library's side ran"
CHINESE = "您好～欢迎来到丸子小店 🍡 «quotes» \"double\" \\ back\\slash\n第二行\t制表"


def needs(*modules: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.skipif(not installed(m), reason=NOT_INSTALLED.format(m)) for m in modules]


@pytest.mark.parametrize("key,value,module", [("event_loop", "uvloop", "uvloop"), ("json", "orjson", "orjson")])
def test_a_speed_up_asked_for_but_not_installed_stops_the_start_naming_the_extra(
        tmp_path: Path, key: str, value: str, module: str) -> None:
    """A real `wanzi serve` as a user starts it, with the module hidden from it when this machine has it."""
    cfg = write_config(tmp_path / "bot.toml", db_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
                       api_base="http://127.0.0.1:9", port=free_port())
    hide = f"import sys; sys.modules[{module!r}] = None; from bot.cli import main; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", hide, "serve"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "WANZI_CONFIG": str(cfg),
                                            f"WANZI_SERVER__{key.upper()}": value})
    assert done.returncode == 1
    assert f"server.{key}" in done.stderr and "pip install 'wanzi[speed]'" in done.stderr, done.stderr


@pytest.mark.parametrize("event_loop,codec,own_thread", [
    ("asyncio", "stdlib", False),
    pytest.param("uvloop", "orjson", False, marks=needs("uvloop", "orjson")),
    pytest.param("uvloop", "orjson", True, marks=needs("uvloop", "orjson")),  # the intake thread's loop too
])
async def test_the_bot_serves_and_answers_on_the_event_loop_it_is_given(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, event_loop: str, codec: str,
        own_thread: bool) -> None:
    monkeypatch.setenv("WANZI_SERVER__EVENT_LOOP", event_loop)
    monkeypatch.setenv("WANZI_SERVER__JSON", codec)
    if own_thread:
        monkeypatch.setenv("WANZI_SERVER__INTAKE_JOURNAL", str(tmp_path / "journal"))
        monkeypatch.setenv("WANZI_SERVER__INTAKE_THREAD", "true")
    emu = Emulator(EmulatorConfig())
    await emu.start()
    port = free_port()
    log = tmp_path / "bot.log"
    bot = await Replica(write_config(tmp_path / "bot.toml", db_url=sqlite_url, api_base=emu.base_url, port=port),
                        port, log).start()
    try:
        emu.connect(f"{bot.url}/wecom/callback")
        assert (await emu.staff_sends("zhang.wei", "/help")).acked
        await emu.customer_says("wmSpeedKf01", "下单后多久发货")
        await wait_until(lambda: [c for c in emu.calls("message/send") if c.ok], timeout=30)
        answered = await wait_until(lambda: [c for c in emu.calls("kf/send_msg") if c.ok], timeout=30)
        assert "48 小时内从杭州仓发出" in answered[0].body["text"]["content"]  # read from sync_msg, written back
        printed = log.read_text()
        assert f"event loop: {event_loop}, WeCom API JSON: {codec}" in printed
        if own_thread:
            assert f"callbacks on their own thread ({event_loop})" in printed
    finally:
        await bot.stop()
        await emu.stop()


async def test_the_bot_runs_on_the_standard_library_when_the_extra_is_missing(monkeypatch) -> None:
    """"auto" (the default) falls back quietly: what a user without the extra gets."""
    monkeypatch.setitem(sys.modules, "uvloop", None)
    monkeypatch.setitem(sys.modules, "orjson", None)
    from bot.speedups import loop_factory

    loop = loop_factory("auto")()
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()
    assert json_codec("auto") is STDLIB


@pytest.mark.parametrize("codec", [pytest.param("orjson", marks=needs("orjson")), "stdlib"])
async def test_bodies_sent_to_wecom_and_answers_read_are_the_same_with_either_json(codec: str) -> None:
    """WeCom gets equal JSON (parsed) with Chinese as it is, never \\uXXXX, and the answers read are equal."""
    emu = Emulator(EmulatorConfig())
    await emu.start()
    config = make_config("sqlite+aiosqlite:///:memory:", emu.base_url)
    payload = {"touser": "zhang.wei", "msgtype": "text", "agentid": config.wecom.agent_id,
               "text": {"content": CHINESE}, "safe": 0, "enable_duplicate_check": 1, "duplicate_check_interval": 1.5}
    try:
        answers = []
        async with aiohttp.ClientSession() as http:
            for chosen in (STDLIB, json_codec(codec)):
                client = WeComClient(config.wecom, http, codec=chosen)
                answers.append(await client.call("message/send", dict(payload)))
                answers.append(await client.call("kf/account/list", {"offset": 0, "limit": 100}))
        sent = emu.calls("message/send")
        assert [c.body for c in sent] == [payload, payload]
        assert all(CHINESE.split("🍡")[0] in c.raw and "\\u" not in c.raw for c in sent)
        assert [{k: v for k, v in a.items() if k != "msgid"} for a in answers[2:]] == \
            [{k: v for k, v in a.items() if k != "msgid"} for a in answers[:2]]
        assert answers[3]["account_list"][0]["name"] == "丸子小助手"  # an answer's Chinese read back as it is
    finally:
        await emu.stop()
