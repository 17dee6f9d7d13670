"""Staff commands sent to the self-built app. Only known staff may run them, each command needs
a role, and a command either applies fully or not at all (it runs in a savepoint)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from bot import roles
from bot.commands import Command, Markdown
from bot.dispatcher import Router
from bot.errors import CommandError
from bot.wecom.events import AppMessageReceived
from handlers.services import Ctx
from handlers.staff.config import CommandsConfig
from handlers.staff.lookup import AmbiguousCustomer, describe
from handlers.staff.parsing import SAME_AS, meant, suggest, tokenize
from storage.models import StaffPending

router = Router("staff")

CHOICE = re.compile(r"\s*(\d{1,2})\s*")
HELP_WORDS = frozenset({"help", "帮助", "菜单", "指令", "命令", "?", "？"})
NOT_STAFF = "你还不是已登记的运营人员，暂时不能使用指令。请联系管理员开通。"


def _is_command(event: AppMessageReceived, _: Ctx) -> bool:
    return event.msg_type == "text" and event.content.strip().startswith(("/", "／"))


def _is_choice(event: AppMessageReceived, ctx: Ctx) -> bool:
    return event.msg_type == "text" and ctx.staff is not None and CHOICE.fullmatch(event.content) is not None


@router.on(AppMessageReceived, when=_is_command)
async def run_command(event: AppMessageReceived, ctx: Ctx) -> None:
    """Check who is asking, then run the command; a customer's "/tag" never reaches here (kf chats
    are customer events), and an unknown app user is refused and recorded."""
    if ctx.staff is None:
        ctx.repos.audit.record(actor=event.from_user, action="command_refused", target=event.content.split()[0][:64],
                               detail={"reason": "not staff"}, now=ctx.clock.now())
        await ctx.reply(NOT_STAFF)
        return
    try:
        words = tokenize(event.content)
    except CommandError as exc:
        await ctx.reply(str(exc))
        return
    await execute(ctx, words)


@router.on(AppMessageReceived, when=_is_choice)
async def answer_choice(event: AppMessageReceived, ctx: Ctx) -> None:
    """A digit answers the member's latest numbered choice between same-named customers."""
    assert ctx.staff is not None
    pending = await ctx.repos.pending.latest(ctx.staff.userid, "choice", now=ctx.clock.now())
    if pending is None:
        await ctx.reply("没有等待你选择的客户（可能已超时）。发送 /help 查看指令。")
        return
    match = CHOICE.fullmatch(event.content)
    assert match is not None  # the route's filter matched it
    number, candidates = int(match.group(1)), pending.payload["candidates"]
    if not 1 <= number <= len(candidates):
        await ctx.reply(f"请回复 1 到 {len(candidates)} 之间的序号。")
        return
    pending.status = "done"
    words = list(pending.payload["words"])
    words[int(pending.payload["index"])] = candidates[number - 1]
    await execute(ctx, words)


def _is_plain_text(event: AppMessageReceived, _: Ctx) -> bool:
    return event.msg_type == "text" and bool(event.content.strip())


@router.on(AppMessageReceived, when=_is_plain_text)
async def plain_text(event: AppMessageReceived, ctx: Ctx) -> None:
    """Words that are not a command still get an answer: "帮助" is /help, "tickets" proposes
    "/tickets" (the slash forgotten), anything else says how to talk to the app."""
    if ctx.staff is None:
        await ctx.reply(NOT_STAFF)
        return
    words = event.content.split()
    first = words[0].lower()
    if first in HELP_WORDS:
        await execute(ctx, ["/help"])
    elif "/" + first in ctx.services.commands:  # run only when asked for with the slash
        await ctx.reply(f"指令要以 / 开头哦。你是想发送「{' '.join(['/' + first, *words[1:]])}」吗？")
    elif len(words) == 1 and (same := SAME_AS.get(first, "")) in ctx.services.commands:  # "日报": /digest
        await ctx.reply(f"指令要以 / 开头哦。你是想发送「{same}」吗？发送 /help {same} 查看用法。")
    else:
        await ctx.reply(ctx.render("staff.plain_text", staff=ctx.staff.name).text)


def _suggest_for(role: str, name: str, commands: Mapping[str, Command]) -> str:
    """The near miss among the commands this role may run (an advisor's "/brodcast" is not offered /broadcast
    to run); a near miss only a higher role may run is named with that role, so nobody tries it in vain."""
    hint = suggest(name, [n for n, c in commands.items() if c.allows(role)])
    if hint or not (other := meant(name, list(commands))):
        return hint
    return f"（{other} 需要「{roles.label(commands[other].role)}」权限，可以请有权限的同事操作。）"


async def execute(ctx: Ctx, words: list[str]) -> None:
    """Run one command line for ctx.staff and reply with its answer or its error and usage."""
    staff = ctx.staff
    assert staff is not None
    name = words[0].lower()
    commands = ctx.services.commands
    if name not in commands and SAME_AS.get(name.lstrip("/")) == "/help":  # "/帮助 claim": help harms nothing
        name, words = "/help", ["/help", *words[1:]]
    command = commands.get(name)
    if command is None:
        text = ctx.render("staff.unknown_command", staff=staff.name, command=name).text
        await ctx.reply(f"{text}{_suggest_for(staff.role, name, commands)}")
        return
    if not command.allows(staff.role):
        ctx.repos.audit.record(actor=staff.userid, action="command_denied", target=name,
                               detail={"role": staff.role}, now=ctx.clock.now())
        await ctx.reply(ctx.render("staff.not_allowed", staff=staff.name, command=name,
                                   role=roles.label(command.role)).text)
        return
    userid = staff.userid  # read before the savepoint: a rollback expires what it touched
    try:
        if command.read_only:  # nothing to roll back, nothing to audit (bot/commands.py)
            answer = await command.run(ctx, command.parse(words[1:]))
        else:
            async with ctx.session.begin_nested():
                answer = await command.run(ctx, command.parse(words[1:]))
    except AmbiguousCustomer as exc:
        await _offer_choice(ctx, userid, words, exc)
        return
    except CommandError as exc:
        await ctx.reply(f"{exc}\n用法：{command.usage}" if exc.usage else str(exc))
        return
    if not command.read_only:
        ctx.repos.audit.record(actor=userid, action="command", target=name, detail={"args": words[1:]},
                               now=ctx.clock.now())
    if isinstance(answer, Markdown):
        ctx.outbox.app_markdown(ctx.settings.wecom.agent_id, userid, answer)
    else:
        await ctx.reply(answer)


async def _offer_choice(ctx: Ctx, userid: str, words: list[str], exc: AmbiguousCustomer) -> None:
    now, minutes = ctx.clock.now(), ctx.settings.of(CommandsConfig).choice_minutes
    await ctx.repos.pending.cancel_all(userid, "choice")
    ctx.repos.pending.add(StaffPending(
        staff_userid=userid, kind="choice", status="pending", created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        payload={"words": words, "index": words.index(exc.query),
                 "candidates": [c.external_userid for c in exc.candidates]}))
    options = "\n".join([f"{i}. {await describe(ctx, c)}" for i, c in enumerate(exc.candidates, 1)])
    await ctx.reply(f"{exc}：\n{options}\n回复序号继续执行 {words[0]}（{minutes} 分钟内有效）。")
