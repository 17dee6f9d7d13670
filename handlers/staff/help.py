"""/help: the commands a member may run, or one command's usage. The table is every feature's
`Feature.commands` (README "Staff commands" mirrors it)."""

from __future__ import annotations

import re

from bot import roles
from bot.commands import Command
from bot.errors import CommandError
from bot.outbox import TEXT_LIMITS
from handlers.services import Ctx
from handlers.staff.parsing import expect, suggest


def parse_help(args: list[str]) -> str:
    return expect(args, 0, 1)[0] if args else ""


async def run_help(ctx: Ctx, name: str) -> str:
    assert ctx.staff is not None
    commands = ctx.services.commands
    if name:
        key = name if name.startswith("/") else f"/{name}"
        command = commands.get(key.lower())
        if command is None:
            raise CommandError(f"没有指令 {key}。{suggest(key, list(commands))}")
        return f"{command.usage}\n{command.summary}\n需要角色：{roles.label(command.role)}"
    role = ctx.staff.role  # read once, not per command (an ORM attribute read each time)
    mine = [cmd for cmd in commands.values() if cmd.allows(role)]
    tail = f"\n（你的角色：{roles.label(role)}；发送 /help 指令名 查看详情）"
    # Every command must show within one app message: with its summary, else the summary's first phrase (an admin's
    # 26 commands: "/points <客户> [+N|-N <原因>] — 查看积分流水，或调整积分"), else usages alone.
    for line in (lambda c: f"{c.usage} — {c.summary}", lambda c: f"{c.usage} — {_gist(c.summary)}", lambda c: c.usage):
        text = ctx.render("staff.help", staff=ctx.staff.name, commands="\n".join(line(cmd) for cmd in mine)).text + tail
        if len(text.encode()) <= TEXT_LIMITS["message/send"]:
            break
    return text


def _gist(summary: str) -> str:
    """A summary up to its first explanation: "接单：会话转给你，…" → "接单"."""
    return re.split(r"[：；（]", summary, maxsplit=1)[0]


COMMANDS = (Command("/help", "advisor", "/help [指令]", "查看可用指令或某个指令的用法", parse_help, run_help,
                    order=10, read_only=True),)
