"""The callback endpoint's work on one body before the database, the two ways, alternately in one
process: `.venv/bin/python -m bench.intake_parse [--bodies N] [--rounds K]`.

"tree": defusedxml's pure-Python parser building Elements, then xml_fields (the endpoint before the
twelfth slice); "expat": one pass of expat (bot.wecom.xml's reader until the twenty-first slice, still its
way for any body not shaped as WeCom writes them); "read_fields": bot.wecom.xml.read_fields, WeCom-shaped
bodies by two regular expressions. Both verify the signature, decrypt and parse
the outer and inner XML of a staff text callback, then parse_callback. Prints the process's CPU per
body and the function calls per body (cProfile, deterministic)."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from typing import Callable

from bot.wecom.crypto import CallbackCrypto
from bot.wecom.events import parse_callback
from bot.wecom.xml import _read_with_expat, build_xml, parse_xml, read_fields, xml_fields

Reader = Callable[[bytes | str], dict[str, str | list[str]]]


def _tree(data: bytes | str) -> dict[str, str | list[str]]:
    return xml_fields(parse_xml(data))


def _body(crypto: CallbackCrypto, i: int) -> tuple[bytes, str]:
    inner = build_xml({"ToUserName": "ww1", "FromUserName": "zhang.wei", "CreateTime": 1_700_000_000,
                       "MsgType": "text", "Content": "/help", "MsgId": str(10**12 + i), "AgentID": 1000002})
    encrypt, signature = crypto.seal(inner, "1700000000", f"n{i}")
    return build_xml({"ToUserName": "ww1", "AgentID": "1000002", "Encrypt": encrypt}).encode(), signature


def _one(crypto: CallbackCrypto, read: Reader, body: bytes, signature: str, i: int) -> None:
    outer = read(body)
    encrypt = outer["Encrypt"]
    assert isinstance(encrypt, str)
    crypto.verify(signature, "1700000000", f"n{i}", encrypt)
    parse_callback(read(crypto.decrypt(encrypt)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    crypto = CallbackCrypto("token", "a" * 43, "ww1")
    bodies = [_body(crypto, i) for i in range(args.bodies)]
    ways: list[tuple[str, Reader]] = [("tree", _tree), ("expat", _read_with_expat), ("read_fields", read_fields)]
    for name, read in ways:
        profile = cProfile.Profile()
        profile.enable()
        for i, (body, signature) in enumerate(bodies[:200]):
            _one(crypto, read, body, signature, i)
        profile.disable()
        calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
        print(f"{name:11s}: {calls / 200:.0f} function calls per body")
    for n in range(args.rounds):
        for name, read in ways:
            cpu = time.process_time()
            for i, (body, signature) in enumerate(bodies):
                _one(crypto, read, body, signature, i)
            print(f"round {n + 1} {name:11s}: CPU {1e6 * (time.process_time() - cpu) / len(bodies):.1f} µs per body")


if __name__ == "__main__":
    main()
