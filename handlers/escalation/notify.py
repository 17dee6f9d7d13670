"""What advisors and leads read in the app: the ticket card with context, reminders, failures.

Staff-facing texts are operational, not the persona's voice, so they live here rather than in
the persona file. Markdown (message/send, outbound.md §1) carries the context; it is cut to
the 2048-byte limit by dropping the oldest messages first, never the question or the link.
Whatever a customer (or a WeChat nickname, a tag, a WeCom errmsg) wrote goes through `plain`:
it is read, never rendered as a link, bold text or a coloured warning.
"""

from __future__ import annotations

from datetime import datetime

from bot.outbox import TEXT_LIMITS, fit_bytes
from bot.wecom.markdown import plain
from handlers.escalation.routing import local
from handlers.escalation.rules import Trigger
from handlers.services import Ctx
from storage.models import Customer, Ticket

CHANNELS = {"kf": "微信客服", "contact": "企业微信好友"}


def console_url(ctx: Ctx, ticket: Ticket) -> str:
    server = ctx.settings.server
    base = server.public_url or f"http://{server.host}:{server.port}"
    return f"{base.rstrip('/')}/console/tickets/{ticket.id}"


def customer_label(customer: Customer) -> str:
    name = plain(customer.name or customer.external_userid, 40)
    return f"{name}（{plain(customer.remark, 40)}）" if customer.remark else name


def _one_line(text: str, limit: int = 60) -> str:
    return plain(text, limit)


def _hhmm(ctx: Ctx, at: datetime | None) -> str:
    return f"{local(ctx, at):%m-%d %H:%M}" if at is not None else "-"


def ticket_card(ctx: Ctx, ticket: Ticket, customer: Customer, *, headline: str = "") -> str:
    """The markdown an advisor gets with a new (or re-routed) ticket."""
    ctx_data = ticket.context or {}
    # the member level as the customer had it (a VIP's ticket keeps the "vip" SLA level: 金柚 was left out)
    level = str(ctx_data.get("level") or "") or (ticket.level if ticket.level != "vip" else "")
    facts = [f"客户：{customer_label(customer)}" + (" · VIP" if ctx_data.get("vip") else "")
             + (f" · 等级 {plain(level, 20)}" if level else "")]
    tags = ctx_data.get("tags") or []
    if tags:
        facts.append("标签：" + "、".join(plain(str(tag), 30) for tag in tags))
    source = f" · 来源 {plain(customer.channel, 30)}" if customer.channel else ""
    facts.append(f"渠道：{CHANNELS.get(ticket.channel, ticket.channel)}{source}")
    if ticket.due_at is not None:
        facts.append(f"首响时限：{_hhmm(ctx, ticket.due_at)} 前")
    head = [f"## 转人工 #{ticket.id} · {Trigger.parse(ticket.reason).label}"]
    if headline:
        head.append(f"<font color=\"warning\">{headline}</font>")
    head += [f"> {fact}" for fact in facts]
    head.append(f"\n**问题**：{_one_line(ticket.question, 200)}")
    tail = [f"\n[打开工单]({console_url(ctx, ticket)})",
            f"回复 /claim {ticket.id} 接单，/resolve {ticket.id} 备注 结单"]
    history = [f"> {plain(str(m.get('who', '')), 20)} {plain(str(m.get('at', '')), 10)}："
               f"{_one_line(str(m.get('text', '')))}" for m in ctx_data.get("messages") or []]
    limit = TEXT_LIMITS["message/send"]
    while True:
        body = head + (["\n**最近消息**", *history] if history else []) + tail
        text = "\n".join(body)
        if len(text.encode()) <= limit or not history:
            return fit_bytes(text, limit)
        history.pop(0)  # the oldest message goes first


def reminder(ctx: Ctx, ticket: Ticket, customer: Customer, minutes_left: int) -> str:
    return (f"⏰ 工单 #{ticket.id}（{customer_label(customer)} · {Trigger.parse(ticket.reason).label}）已超过首响时限，"
            f"客户还在等你回复。{minutes_left} 分钟后仍未响应将转给负责人。\n"
            f"问题：{_one_line(ticket.question)}\n{console_url(ctx, ticket)}")


def queue_breach(ctx: Ctx, ticket: Ticket, customer: Customer, *, pooled: bool = False) -> str:
    where = ("仍在微信客服待接入池中无人接入。请在企业微信「微信客服」里接入，或" if pooled
             else "仍无人接待，当前没有在岗顾问。")
    return (f"⚠️ {'待接入' if pooled else '排队'}工单 #{ticket.id}（{customer_label(customer)} · "
            f"{Trigger.parse(ticket.reason).label}）超过首响时限{where}回复 /claim {ticket.id} 接单。\n"
            f"{console_url(ctx, ticket)}")


def pool_headline() -> str:
    return "客户在微信客服待接入池等待：在企业微信「微信客服」里接入即可（接入即算首次响应）"


# What a kf/service_state/trans errcode means, in words staff can act on (kf.md §8).
TRANSFER_ERRORS = {
    95000: "客服账号 {open_kfid} 无效",
    95004: "客服账号 {open_kfid} 不存在",
    95013: "会话已经结束",
    95014: "{servicer} 不是客服账号 {open_kfid} 的接待人员（请管理员在企业微信管理后台「微信客服」里把TA加为接待人员）",
    95016: "会话当前的状态不允许这样转接",
    95017: "客服账号 {open_kfid} 没有开启 API 接待",
    95019: "{servicer} 当前没有在接待（已停止或暂停接待，可在企业微信「微信客服」里恢复接待）",
}


def refusal_words(row_payload: dict[str, object], errcode: int | None, reason: str, *, servicer: str) -> str:
    """"kf/service_state/trans 返回 95019：李娜（li.na） 当前没有在接待……" for a refused transfer row;
    `servicer`: the member it was meant for, as staff read them (routing.member_label)."""
    words = TRANSFER_ERRORS.get(errcode or 0, "")
    facts = {"servicer": servicer, "open_kfid": row_payload.get("open_kfid") or "-"}
    explained = words.format(**facts) if words else _one_line(reason, 80) or "未知原因"
    return f"kf/service_state/trans 返回 {errcode if errcode is not None else '-'}：{explained}"


def transfer_failed(ticket: Ticket, customer: Customer, refusal: str, then: str) -> str:
    """To the advisor the chat was meant for. `then`: what happens to the customer now."""
    return (f"⚠️ 工单 #{ticket.id}：客户 {customer_label(customer)} 的微信客服会话没能转给你。{refusal}。{then}")


def pool_failed(ticket: Ticket, customer: Customer, refusal: str) -> str:
    """To operators and admins: the reception pool refused the chat, so it waits in Wanzi's queue."""
    return (f"⚠️ 工单 #{ticket.id}：客户 {customer_label(customer)} 的会话没能放入微信客服待接入池。{refusal}。"
            f"工单改为在丸子排队，等在岗顾问接单；也可以回复 /claim {ticket.id} 接单。")


def handed_over(ticket: Ticket, customer: Customer, to: str) -> str:
    return f"工单 #{ticket.id}（{customer_label(customer)}）已超时，系统已转给 {to} 处理。"
