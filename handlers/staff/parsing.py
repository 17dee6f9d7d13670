"""Parsing staff command lines: words, near-miss suggestions and the building blocks every
command's parser uses (argument counts, on/off, dates, numbers, ticket ids)."""

from __future__ import annotations

import difflib
import re
import shlex
from datetime import date

from bot.errors import CommandError
from handlers.services import Ctx


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


def actor(ctx: Ctx) -> str:
    assert ctx.staff is not None
    return ctx.staff.userid


def subcommand(args: list[str], choices: tuple[str, ...]) -> str:
    expect(args, 1)
    word = args[0].lower()
    if word not in choices:
        raise CommandError(f"「{args[0]}」不是可用的子指令（{'|'.join(choices)}）。")
    return word


def parse_date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise CommandError(f"「{word}」不是日期（例如 2026-03-10）。") from None


def number(word: str, what: str) -> int:
    if not re.fullmatch(r"\d{1,12}", word.lstrip("#")):
        raise CommandError(f"「{word}」不是{what}（例如 12）。")
    return int(word.lstrip("#"))
