"""Optional speed-ups (`pip install 'wanzi[speed]'`): uvloop's event loop for `wanzi serve` and orjson for the
JSON of WeCom API calls, each used when installed and allowed by `[server] event_loop` / `[server] json`
("auto": when installed). Without them the standard library runs, as it always did.

Only the bot's side: the emulator (the peer that stands for WeCom) and the sandbox, which runs the emulator
on the bot's loop, keep asyncio's loop and the json module."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, TypeVar

from bot.errors import ConfigError

INSTALL = "pip install 'wanzi[speed]'"
EVENT_LOOPS = ("auto", "asyncio", "uvloop")
JSON_CODECS = ("auto", "stdlib", "orjson")

T = TypeVar("T")


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def check(where: str, event_loop: str, json_codec: str) -> None:
    """A choice that names a speed-up that is not installed fails at start-up, not at the first event."""
    for key, value, choices, module in (("event_loop", event_loop, EVENT_LOOPS, "uvloop"),
                                        ("json", json_codec, JSON_CODECS, "orjson")):
        if value not in choices:
            raise ConfigError(f"{where}.{key}", f"must be one of {', '.join(choices)} (got {value!r})")
        if value == module and not installed(module):
            raise ConfigError(f"{where}.{key}", f"is {module!r} but {module} is not installed: {INSTALL} "
                                                f"(or set \"auto\" to use it only when installed)")


def loop_factory(event_loop: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop `wanzi serve` runs on (and its intake thread, bot/intake_thread.py)."""
    if event_loop == "uvloop" or (event_loop == "auto" and installed("uvloop")):
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    return asyncio.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T], event_loop: str) -> T:
    with asyncio.Runner(loop_factory=loop_factory(event_loop)) as runner:
        return runner.run(main)


@dataclass(frozen=True, slots=True)
class JsonCodec:
    """What the WeCom client writes request bodies with and reads answers with. Both write UTF-8 with Chinese
    as it is (never \\uXXXX); orjson leaves out the spaces after ',' and ':' (WeCom parses either)."""

    name: str
    dumps: Callable[[Any], bytes]
    loads: Callable[[bytes], Any]  # raises ValueError on a body that is not JSON


def _stdlib_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


STDLIB = JsonCodec("stdlib", _stdlib_dumps, json.loads)


def json_codec(choice: str) -> JsonCodec:
    if choice == "orjson" or (choice == "auto" and installed("orjson")):
        import orjson

        def dumps(value: Any) -> bytes:
            body: bytes = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
            return body

        return JsonCodec("orjson", dumps, orjson.loads)  # orjson.JSONDecodeError is a ValueError
    return STDLIB
