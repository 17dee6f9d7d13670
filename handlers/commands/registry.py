"""The staff command table: name → required role, usage line, parser, handler.

A parser turns the words after the command into arguments or raises CommandError (nothing is
looked up or written yet). A handler does the work inside a savepoint and returns the reply;
any CommandError it raises rolls its writes back, so a command applies fully or not at all.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bot.context import Context
from bot.errors import CommandError

ROLE_RANK = {"advisor": 1, "operator": 2, "admin": 3}
ROLE_NAMES = {"advisor": "顾问", "operator": "运营", "admin": "管理员"}
NOT_READY = "该功能尚未开通"


class Markdown(str):
    """A command answer to send as WeCom markdown (the digest) rather than plain text."""


Parser = Callable[[list[str]], Any]
Runner = Callable[[Context, Any], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "/tag"
    role: str  # the least role that may run it: advisor < operator < admin
    usage: str  # one line, shown with every error
    summary: str
    parse: Parser
    run: Runner
    ready: bool = True  # False: the feature behind it is not built yet; the command says so

    def allows(self, role: str) -> bool:
        return ROLE_RANK.get(role, 0) >= ROLE_RANK[self.role]


def tokenize(text: str) -> list[str]:
    """Words of a command line; quotes group words ("/tag 陈洁 \"双十一 老客\"")."""
    text = text.strip().replace("／", "/", 1)  # a full-width slash from a Chinese keyboard
    try:
        return shlex.split(text)
    except ValueError:
        raise CommandError("引号没有成对，请检查后重发。") from None


def suggest(word: str, choices: list[str]) -> str:
    """" 你是不是想用 /tag？" for a near miss, else ""."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"你是不是想用 {close[0]}？" if close else ""


# --- parser building blocks ---------------------------------------------------------------------


def expect(args: list[str], least: int, most: int | None = None) -> list[str]:
    if len(args) < least:
        raise CommandError("缺少参数。")
    if most is not None and len(args) > most:
        raise CommandError("参数太多了。")
    return args


def no_args(args: list[str]) -> None:
    expect(args, 0, 0)


def switch(word: str) -> bool:
    """on|off (also 开/关)."""
    value = word.lower()
    if value in ("on", "开", "开启"):
        return True
    if value in ("off", "关", "关闭"):
        return False
    raise CommandError(f"「{word}」应为 on 或 off。")


def ticket_id(word: str) -> int:
    match = re.fullmatch(r"#?(\d{1,12})", word)
    if match is None:
        raise CommandError(f"「{word}」不是工单号（例如 12 或 #12）。")
    return int(match.group(1))
