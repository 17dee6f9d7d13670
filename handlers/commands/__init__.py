"""Every staff command, in the order /help lists them. One line per command: the table is the
documentation (README "Staff commands" mirrors it)."""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from handlers.commands import broadcast as b
from handlers.commands import community as m
from handlers.commands import customers as c
from handlers.commands import digest as d
from handlers.commands import tickets as t
from handlers.commands.registry import NOT_READY, ROLE_NAMES, Command, expect, suggest


def parse_help(args: list[str]) -> str:
    return expect(args, 0, 1)[0] if args else ""


async def run_help(ctx: Context, name: str) -> str:
    assert ctx.staff is not None
    if name:
        key = name if name.startswith("/") else f"/{name}"
        command = COMMANDS.get(key.lower())
        if command is None:
            raise CommandError(f"没有指令 {key}。{suggest(key, list(COMMANDS))}")
        state = f"（{NOT_READY}）" if not command.ready else ""
        return f"{command.usage}\n{command.summary}{state}\n需要角色：{ROLE_NAMES[command.role]}"
    mine = [cmd for cmd in COMMANDS.values() if cmd.allows(ctx.staff.role)]
    lines = [f"{cmd.usage} — {cmd.summary}" + ("（尚未开通）" if not cmd.ready else "") for cmd in mine]
    role = ROLE_NAMES.get(ctx.staff.role, ctx.staff.role)
    return ctx.render("staff.help", staff=ctx.staff.name, commands="\n".join(lines)).text + \
        f"\n（你的角色：{role}；发送 /help 指令名 查看详情）"


COMMANDS: dict[str, Command] = {cmd.name: cmd for cmd in [
    Command("/help", "advisor", "/help [指令]", "查看可用指令或某个指令的用法", parse_help, run_help),
    Command("/whois", "advisor", "/whois <客户>", "查看客户资料：VIP、顾问、标签、未结工单", c.parse_whois, c.run_whois),
    Command("/tag", "advisor", "/tag <客户> <标签...>", "给客户打标签（+新标签 表示新建）", c.parse_tags, c.run_tag),
    Command("/untag", "advisor", "/untag <客户> <标签...>", "去掉客户的标签", c.parse_tags, c.run_untag),
    Command("/vip", "operator", "/vip <客户> on|off", "设为或取消 VIP", c.parse_vip, c.run_vip),
    Command("/assign", "operator", "/assign <客户> <顾问>", "指定客户的专属顾问", c.parse_assign, c.run_assign),
    Command("/tickets", "advisor", "/tickets [mine|all|queued]", "查看未结的转人工工单", t.parse_tickets,
            t.run_tickets),
    Command("/claim", "advisor", "/claim <工单号>", "接单：会话转给你，首响计时结束", t.parse_claim, t.run_claim),
    Command("/resolve", "advisor", "/resolve <工单号> [备注]", "结单：会话交还小助手并跟进问候", t.parse_resolve,
            t.run_resolve),
    Command("/duty", "advisor", "/duty on|off", "上岗或下岗（在岗才会被分配工单）", t.parse_duty, t.run_duty),
    Command("/optout", "operator", "/optout <客户>", "为客户退订营销推送", c.parse_optout, c.run_optout),
    Command("/broadcast", "admin", "/broadcast <标签> <模板>", "按标签群发人设模板，先显示人数再 /confirm",
            b.parse_broadcast, b.run_broadcast),
    Command("/confirm", "admin", "/confirm", "确认最近一次 /broadcast", b.parse_confirm, b.run_confirm),
    Command("/topic", "operator", "/topic add <兴趣群> <内容> | list [兴趣群] | pause|resume <编号>",
            "兴趣群话题轮换：添加、查看、暂停或恢复", m.parse_topic, m.run_topic),
    Command("/campaign", "operator", "/campaign create <标识> <名称> <开始日期> <天数> [标签] | list | stats <标识> | end <标识>",
            "打卡活动：创建、列表、数据与排行、提前结束", m.parse_campaign, m.run_campaign),
    Command("/points", "operator", "/points <客户> +N|-N <原因>", "调整会员积分（记入流水并留痕）", m.parse_points,
            m.run_points),
    Command("/digest", "operator", "/digest [日期]", "查看某天的日报（默认昨天）", d.parse_digest, d.run_digest),
]}
