"""/erase and /export: a customer's data rights from the WeCom app, for admins.

`/erase <客户>` only shows what would go and stores a pending erasure (it expires after
commands.confirm_minutes, as a /broadcast does); `/erase confirm` erases, `/erase cancel` drops it.
An app message holds at most 2048 bytes, so `/export` answers with a summary and where to get the
JSON file (the console's customer page, or `wanzi customer export` on the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.commands import Command
from bot.errors import CommandError
from handlers.privacy.erase import Erasure
from handlers.privacy.export import export_customer, summary
from handlers.privacy.service import erase, export
from handlers.services import Ctx
from handlers.staff.config import CommandsConfig
from handlers.staff.lookup import describe, find_customer
from handlers.staff.parsing import expect
from storage.models import Customer, StaffPending

CONFIRM, CANCEL = "confirm", "cancel"
KIND = "erase"


@dataclass(frozen=True, slots=True)
class EraseArgs:
    customer: str = ""
    step: str = ""  # "" = propose, confirm, cancel


def parse_erase(args: list[str]) -> EraseArgs:
    (word,) = expect(args, 1, 1)
    if word.lower() in (CONFIRM, CANCEL):
        return EraseArgs(step=word.lower())
    return EraseArgs(customer=word)


def console_link(ctx: Ctx, customer: Customer) -> str:
    server = ctx.settings.server
    base = server.public_url or f"http://{server.host}:{server.port}"
    return f"{base.rstrip('/')}/console/customers/{customer.id}"


def rows_line(erasure: Erasure) -> str:
    rows = erasure.rows
    return (f"共删除或匿名化 {erasure.total} 行（消息 {rows.get('message', 0)}、工单 {rows.get('ticket', 0)}、"
            f"回调与客服消息 {rows.get('inbound_event', 0)}、发件 {rows.get('outbox_item', 0)}、"
            f"审计记录 {rows.get('audit_log', 0)}）")


async def run_erase(ctx: Ctx, args: EraseArgs) -> str:
    assert ctx.staff is not None
    userid, now = ctx.staff.userid, ctx.clock.now()
    if args.step == CANCEL:
        await ctx.repos.pending.cancel_all(userid, KIND)
        return "已取消待确认的删除。"
    if args.step == CONFIRM:
        return await _confirm(ctx, userid)
    customer = await find_customer(ctx, args.customer)
    data = await export_customer(ctx.session, customer, now=now)
    minutes = ctx.settings.of(CommandsConfig).confirm_minutes
    await ctx.repos.pending.cancel_all(userid, KIND)  # only the newest proposal can be confirmed
    ctx.repos.pending.add(StaffPending(staff_userid=userid, kind=KIND, status="pending",
                                       payload={"customer_id": customer.id}, created_at=now,
                                       expires_at=now + timedelta(minutes=minutes)))
    return (f"将删除并匿名化客户 {await describe(ctx, customer)} 的全部数据：{summary(data)}。删除后不可恢复。\n"
            f"确认请在 {minutes} 分钟内回复 /erase {CONFIRM}（放弃：/erase {CANCEL}）")


async def _confirm(ctx: Ctx, userid: str) -> str:
    pending = await ctx.repos.pending.latest(userid, KIND, now=ctx.clock.now())
    if pending is None:
        raise CommandError("没有待确认的删除（可能已超时），请重新发送 /erase <客户>。")
    pending.status = "done"
    customer = await ctx.session.get(Customer, int(pending.payload["customer_id"]))
    if customer is None:
        return "这位客户的数据已经删除了。"
    erasure = await erase(ctx.session, [customer], actor=userid, via="command", now=ctx.clock.now())
    return f"已删除并匿名化客户 #{erasure.customer_ids[0]} 的全部数据：{rows_line(erasure)}。"


def parse_export(args: list[str]) -> str:
    return expect(args, 1, 1)[0]


async def run_export(ctx: Ctx, query: str) -> str:
    assert ctx.staff is not None
    customer = await find_customer(ctx, query)
    data = await export(ctx.session, customer, actor=ctx.staff.userid, via="command", now=ctx.clock.now())
    return (f"客户 {await describe(ctx, customer)}：{summary(data)}。\n"
            f"完整数据（JSON）请在控制台的客户页点「导出 JSON」（管理员）：{console_link(ctx, customer)}，"
            f"或在服务器上运行 wanzi customer export {customer.external_userid}")


COMMANDS = (
    Command("/export", "admin", "/export <客户>", "客户数据导出（个人信息查阅）：摘要与导出方式",
            parse_export, run_export, order=140),
    Command("/erase", "admin", "/erase <客户> | /erase confirm | /erase cancel",
            "删除并匿名化客户的全部数据（先显示内容再确认）", parse_erase, run_erase, order=150),
)
