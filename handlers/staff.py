"""Staff commands sent to the self-built app; only known staff may run them."""

from __future__ import annotations

from bot.context import Context
from bot.dispatcher import Router
from bot.wecom.events import AppMessageReceived

router = Router("staff")

COMMANDS = {"/help": ("operator", "/help [指令] — 查看可用指令")}


def _is_command(event: AppMessageReceived, _: Context) -> bool:
    return event.msg_type == "text" and event.content.strip().startswith("/")


@router.on(AppMessageReceived, when=_is_command)
async def run_command(event: AppMessageReceived, ctx: Context) -> None:
    name = event.content.strip().split()[0].lower()
    if ctx.staff is None:
        ctx.repos.audit.record(actor=event.from_user, action="command_refused", target=name,
                               detail={"reason": "not staff"}, now=ctx.clock.now())
        await ctx.reply("你还不是已登记的运营人员，暂时不能使用指令。请联系管理员开通。")
        return
    if name not in COMMANDS:
        await ctx.reply(ctx.render("staff.unknown_command", staff=ctx.staff.name, command=name).text)
        return
    lines = "\n".join(usage for _, usage in COMMANDS.values())
    await ctx.reply(ctx.render("staff.help", staff=ctx.staff.name, commands=lines).text)
