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


def quoted(word: str) -> str:
    """A customer's name as a command takes it back: "Lily 王" in quotes (tokenize groups them), else as it is."""
    return f'"{word}"' if any(c.isspace() for c in word) else word


# Words staff reach for that name a command in other words ("/stats" for the digest, "日报", "/回答"):
# spelling alone would propose the nearest name ("/stats" → /tag), which helps nobody.
SAME_AS = {
    **dict.fromkeys(("帮助", "菜单", "指令", "命令", "用法"), "/help"),  # "/帮助" runs /help, as plain "帮助" does
    **dict.fromkeys(("stats", "stat", "report", "daily", "日报", "简报", "报表", "统计", "数据"), "/digest"),
    **dict.fromkeys(("question", "ask", "asks", "问题", "待回答", "客户问题"), "/questions"),
    **dict.fromkeys(("reply", "回答", "回复", "答复"), "/answer"),
    **dict.fromkeys(("ticket", "工单", "我的工单"), "/tickets"),
    **dict.fromkeys(("unsubscribe", "退订"), "/optout"),
    **dict.fromkeys(("标签", "打标签"), "/tag"),
    **dict.fromkeys(("积分",), "/points"),
    **dict.fromkeys(("兑换", "兑换单"), "/redeem"),
    **dict.fromkeys(("值班", "oncall"), "/duty"),
    **dict.fromkeys(("查客户", "who"), "/whois"),
    **dict.fromkeys(("群发", "推送"), "/broadcast"),
    **dict.fromkeys(("打卡", "打卡活动"), "/campaign"),
    **dict.fromkeys(("邀请", "推荐", "老带新"), "/referral"),
    **dict.fromkeys(("导出",), "/export"),
    **dict.fromkeys(("删除", "删除数据"), "/erase"),
}


def meant(word: str, choices: list[str]) -> str:
    """The command a word names in other words or nearly spells ("/stats" → "/digest", "/tga" → "/tag"),
    when that command is among `choices`; else ""."""
    bare = word.lower().lstrip("/／")
    same = SAME_AS.get(bare, "")
    if same in choices:
        return same
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return close[0] if close else ""


def suggest(word: str, choices: list[str]) -> str:
    """" 你是不是想用 /tag？" for a near miss or another name of a command, else ""."""
    command = meant(word, choices)
    return f"你是不是想用 {command}？" if command else ""


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
