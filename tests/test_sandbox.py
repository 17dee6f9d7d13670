"""`wanzi sandbox` as a person uses it: start it, open the console, add a friend, chat, see replies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp

from emulator import Emulator
from emulator.snapshot import SnapshotFile
from tests.processes import sandbox
from tests.waiting import wait_until

# A sandbox starts the real process: the model loads and the knowledge base is embedded before the first
# answer, which takes far longer than usual on a loaded machine (a CI runner, a parallel suite).
SLOW = 90.0


async def healthy(http: aiohttp.ClientSession, bot_port: int) -> bool:
    try:
        async with http.get(f"http://127.0.0.1:{bot_port}/healthz") as r:
            return r.status == 200
    except aiohttp.ClientError:
        return False


async def test_the_sandbox_lets_a_person_chat_with_the_persona(tmp_path: Path) -> None:
    async with sandbox(tmp_path / "sandbox.db") as (proc, bot_port, emu_port):
        console = f"http://127.0.0.1:{emu_port}"
        async with aiohttp.ClientSession() as http:
            assert await wait_until(lambda: healthy(http, bot_port), timeout=SLOW), "sandbox did not come up"
            async with http.get(f"{console}/console") as r:
                assert r.status == 200 and "<html" in (await r.text()).lower()
            async with http.post(f"{console}/console/api/add_friend",
                                 json={"staff": "zhang.wei", "ext": "wmSandbox01", "state": "spring_sale"}) as r:
                assert (await r.json())["ok"]
            async with http.post(f"{console}/console/api/kf_say",
                                 json={"ext": "wmSandbox02", "text": "你好呀"}) as r:
                assert (await r.json())["ok"]

            async def bot_lines(ext: str) -> list[str]:
                async with http.get(f"{console}/console/api/conversation", params={"ext": ext}) as r:
                    return [line["text"] for line in (await r.json())["lines"] if line["who"] == "bot"]

            welcome = await wait_until(lambda: bot_lines("wmSandbox01"), timeout=SLOW)
            assert welcome and "小柚" in welcome[0]
            assert await wait_until(lambda: bot_lines("wmSandbox02"), timeout=SLOW)
            async with http.get(f"{console}/console/api/calls") as r:
                apis = {c["api"] for c in (await r.json())["calls"]}
            assert {"externalcontact/send_welcome_msg", "kf/sync_msg", "kf/send_msg"} <= apis

            # a customer group to try the groups with: the bot linked it to the demo interest group
            async with http.get(f"{console}/console/api/state") as r:
                (group,) = (await r.json())["groups"]
            assert group["name"] == "柚见护肤同好会1群" and group["customers"] == 2
            said = {"userid": "li.na", "text": "/group list"}
            async with http.post(f"{console}/console/api/staff_say", json=said) as r:
                assert (await r.json())["ok"]

            async def group_list() -> list[str]:
                async with http.get(f"{console}/console/api/staff_chat", params={"userid": "li.na"}) as r:
                    return [x["text"] for x in (await r.json())["lines"] if x["who"] == "bot"]

            listed = await wait_until(group_list, timeout=SLOW)
            assert "柚见护肤同好会1群（群主 李娜（li.na））" in listed[-1], listed
    assert proc.returncode == 0



class Console:
    """The emulator's chat console as a person (or tools/chat.py) uses it."""

    def __init__(self, http: aiohttp.ClientSession, emu_port: int) -> None:
        self.http, self.base = http, f"http://127.0.0.1:{emu_port}/console/api"

    async def do(self, action: str, **body: str) -> None:
        async with self.http.post(f"{self.base}/{action}", json=body) as r:
            assert (await r.json())["ok"], action

    async def lines(self, ext: str, who: str = "") -> list[str]:
        async with self.http.get(f"{self.base}/conversation", params={"ext": ext}) as r:
            return [line["text"] for line in (await r.json())["lines"] if not who or line["who"] == who]

    async def staff_lines(self, userid: str) -> list[str]:
        async with self.http.get(f"{self.base}/staff_chat", params={"userid": userid}) as r:
            return [line["text"] for line in (await r.json())["lines"] if line["who"] == "bot"]

    async def tags_of(self, ext: str) -> list[str]:
        async with self.http.get(f"{self.base}/state") as r:
            customers = (await r.json())["customers"]
        return [tag for c in customers if c["external_userid"] == ext for f in c["follows"] for tag in f["tags"]]


async def answered_once_started(db: Path, ext: str, printed: Path | None = None) -> bool:
    """Start the sandbox on `db`, let the kf customer `ext` say hello: did the persona answer?"""
    async with sandbox(db, printed=printed) as (_proc, bot_port, emu_port):
        async with aiohttp.ClientSession() as http:
            assert await wait_until(lambda: healthy(http, bot_port), timeout=SLOW), "sandbox did not come up"
            console = Console(http, emu_port)
            await console.do("kf_say", ext=ext, text="你好呀")
            return bool(await wait_until(lambda: console.lines(ext, "bot"), timeout=SLOW))


async def test_a_restarted_sandbox_still_answers_kf_customers(tmp_path: Path) -> None:
    """The second start keeps the database and the emulated corp, read cursor included."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    assert await answered_once_started(tmp_path / "sandbox.db", "wmRestart01", first)
    assert await answered_once_started(tmp_path / "sandbox.db", "wmRestart02", second)
    assert "Kept the last run" not in first.read_text()
    assert "Kept the last run" in second.read_text()  # the person is told what the restart kept
    assert (tmp_path / "sandbox.emulator.json").exists()


async def test_earlier_customers_can_still_be_reached_after_a_restart(tmp_path: Path) -> None:
    """A kf customer's question queued in the first run is answered by /answer after the restart (a new
    emulator refused it, 95031: the sandbox trial of 2026-12-05), the chat console still shows the earlier
    chat, and a friend added in the first run can still be tagged by staff."""
    db, question = tmp_path / "sandbox.db", "你们门店几点关门？"
    async with sandbox(db) as (_proc, bot_port, emu_port):
        async with aiohttp.ClientSession() as http:
            assert await wait_until(lambda: healthy(http, bot_port), timeout=SLOW), "sandbox did not come up"
            console = Console(http, emu_port)
            await console.do("add_friend", staff="zhang.wei", ext="wmKeepFriend", state="spring_sale")
            await console.do("kf_enter", ext="wmKeepAsker", name="林晓")
            await console.do("kf_say", ext="wmKeepAsker", text=question)
            assert await wait_until(lambda: console.lines("wmKeepFriend", "bot"), timeout=SLOW), \
                "the friend was not welcomed"

            async def promised() -> bool:  # the persona answered the question (a promise to ask a colleague)
                lines = await console.lines("wmKeepAsker")
                return question in lines and len(lines) > lines.index(question) + 1

            assert await wait_until(promised, timeout=SLOW)
            await console.do("staff_say", userid="wang.fang", text="/questions")
            listing = await wait_until(lambda: console.staff_lines("wang.fang"), timeout=SLOW)
            (number,) = re.findall(r"#(\d+) 林晓", listing[-1])

    async with sandbox(db) as (_proc, bot_port, emu_port):
        async with aiohttp.ClientSession() as http:
            assert await wait_until(lambda: healthy(http, bot_port), timeout=SLOW), "sandbox did not come up"
            console = Console(http, emu_port)
            assert question in await console.lines("wmKeepAsker", "customer")  # the earlier chat is still there
            await console.do("staff_say", userid="wang.fang", text=f"/answer {number} 门店每天22点打烊")

            async def answered() -> bool:
                return any("22点打烊" in line for line in await console.lines("wmKeepAsker", "bot"))

            assert await wait_until(answered, timeout=SLOW), await console.staff_lines("wang.fang")
            await console.do("staff_say", userid="wang.fang", text="/tag wmKeepFriend +回头客")

            async def tagged() -> bool:
                return "回头客" in await console.tags_of("wmKeepFriend")

            assert await wait_until(tagged, timeout=SLOW), await console.staff_lines("wang.fang")


async def test_a_damaged_or_foreign_emulator_snapshot_is_ignored_and_said_so(tmp_path: Path) -> None:
    """The sandbox still starts, says why the emulated WeCom is empty, and answers kf customers: the bot's
    kept read cursor, unknown to the empty emulator, is replaced by a fresh pull (bot/kf.py)."""
    db, snapshot = tmp_path / "sandbox.db", tmp_path / "sandbox.emulator.json"
    assert await answered_once_started(db, "wmBeforeBad")
    cases = [(b'{"format": "wanzi-emulator-snapshot", "ver\x00', "unreadable"),  # cut short, garbled
             (json.dumps({"format": "wanzi-emulator-snapshot", "version": 999}).encode(), "version 999")]
    for n, (content, why) in enumerate(cases):
        snapshot.write_bytes(content)
        printed = tmp_path / f"printed{n}.txt"
        assert await answered_once_started(db, f"wmAfterBad{n}", printed)
        said = printed.read_text()
        assert "emulator snapshot ignored" in said  # the log line
        assert "but not the emulated WeCom" in said and why in said  # the banner


async def test_a_new_database_ignores_an_old_emulator_snapshot(tmp_path: Path) -> None:
    """Deleting sandbox.db alone is a clean start: the emulated customers of its run go with it."""
    old = Emulator()
    await old.customer_says("wmOldRun01", "上次的消息")
    SnapshotFile(tmp_path / "sandbox.emulator.json").save(old.corp)
    printed = tmp_path / "printed.txt"
    async with sandbox(tmp_path / "sandbox.db", printed=printed) as (_proc, bot_port, emu_port):
        async with aiohttp.ClientSession() as http:
            assert await wait_until(lambda: healthy(http, bot_port), timeout=SLOW), "sandbox did not come up"
            assert await Console(http, emu_port).lines("wmOldRun01") == []
    assert "emulator snapshot removed: the database is new" in printed.read_text()
