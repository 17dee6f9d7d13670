"""/broadcast <tag> <template> and /confirm: a push to everyone with a local tag, in two steps.

The first step only counts the audience and stores a pending broadcast (expires after
commands.confirm_minutes); /confirm sends. Templates are the persona file's [broadcasts]
table, so pushes speak in the persona's voice. Every message is an outbox row of kind "push",
the kind the outbox's frequency cap and quiet hours apply to:
- customers who wrote in WeChat Customer Service within 48 h: kf/send_msg (kf.md §4 window);
- WeCom friends: one add_msg_template task per member (chat_type single); the member confirms
  it in the client (customer-contact.md §10);
- anyone else cannot be reached and is only counted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import Command
from bot.errors import CommandError
from bot.outbox import PushAdmission
from bot.roles import Role
from bot.wecom import kf_window
from handlers.antispam.gate import plan_push
from handlers.services import Ctx
from handlers.staff.config import CommandsConfig
from handlers.staff.lookup import find_tag, unknown_tag
from handlers.staff.parsing import expect, no_args
from storage.models import Customer, StaffPending, Tag
from storage.queues import _dialect
from storage.repos import PushLedger

MASS_LIMIT = 10_000  # external_userid per add_msg_template call (customer-contact.md §10)
CHUNK = 500  # customers queued per transaction by expand_broadcasts
LEDGER_SPAN = timedelta(days=7)  # the gate looks back to the week's start and the 48 h kf window


@dataclass(frozen=True, slots=True)
class BroadcastArgs:
    tag: str
    template: str


@dataclass(slots=True)
class Audience:
    kf: int = 0
    friends: dict[str, int] = field(default_factory=dict)  # member userid -> customers to confirm
    unreachable: int = 0
    opted_out: int = 0

    @property
    def reachable(self) -> int:
        return self.kf + sum(self.friends.values())


def parse_broadcast(args: list[str]) -> BroadcastArgs:
    tag, *template = expect(args, 0, 2) or [""]  # what is missing is answered with what there is to choose
    return BroadcastArgs(tag, template[0] if template else "")


PREVIEW_CHARS = 40


def template_menu(ctx: Ctx) -> str:
    """Each [broadcasts] template with the start of what it says, as friends would read it, one a line:
    staff choose by what a template says, not by its key alone (the key is what they type)."""
    if not ctx.persona.broadcasts:
        return "（人设文件里还没有 [broadcasts] 模板）"
    lines = []
    for name in sorted(ctx.persona.broadcasts):
        text = " ".join(broadcast_text(ctx, name, None).split())
        lines.append(f"· {name}：{text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + '…'}")
    return "\n".join(lines)


def _template(ctx: Ctx, name: str) -> str:
    """The broadcast's name, checked against the persona file's [broadcasts] (linted at load)."""
    if name not in ctx.persona.broadcasts:
        known = "、".join(sorted(ctx.persona.broadcasts)) or "（人设文件里还没有 [broadcasts] 模板）"
        missing = f"没有群发模板「{name}」" if name else "请写上群发模板，例如 /broadcast 标签 模板"
        raise CommandError(f"{missing}。可用：{known}\n{template_menu(ctx)}" if ctx.persona.broadcasts
                           else f"{missing}。可用：{known}")
    return name


def broadcast_text(ctx: Ctx, name: str, customer: Customer | None) -> str:
    """The text in the persona's voice: a kf customer's own, or (None) the one mass message friends get."""
    return ctx.persona.render_broadcast(name, name=customer.name if customer else "")


def _route(ctx: Ctx, customer: Customer) -> str:
    """kf (wrote within 48 h), friend (a staff member's contact), opted_out or unreachable."""
    if customer.opted_out:
        return "opted_out"
    last = customer.last_inbound_at
    if ctx.settings.wecom.open_kfid and kf_window.is_open(last, ctx.clock.now()):
        return "kf"
    return "friend" if customer.owner_userid else "unreachable"


async def _audience(ctx: Ctx, tag: Tag) -> Audience:
    """Counted in SQL by the same routes `_route` picks per customer."""
    audience = Audience()
    kf_after = ctx.clock.now() - kf_window.WINDOW + kf_window.SAFETY if ctx.settings.wecom.open_kfid else None
    for opted_out, in_kf, owner, n in await ctx.repos.tags.reach(tag.id, kf_after=kf_after):
        if opted_out:
            audience.opted_out += n
        elif in_kf:
            audience.kf += n
        elif owner:
            audience.friends[owner] = audience.friends.get(owner, 0) + n
        else:
            audience.unreachable += n
    return audience


async def _tag(ctx: Ctx, word: str) -> Tag:
    tag = await find_tag(ctx, word)
    if tag is None:
        raise await unknown_tag(ctx, word, creatable=False)
    return tag


def _summary(tag: Tag, a: Audience) -> str:
    friends = sum(a.friends.values())
    return (f"标签「{tag.name}」可触达 {a.reachable} 人：微信客服 48 小时内 {a.kf} 人（直接发送），"
            f"企业微信好友 {friends} 人（生成群发任务，需 {len(a.friends)} 位员工在客户端确认）；"
            f"已退订 {a.opted_out} 人、无法触达 {a.unreachable} 人不发送。")


@dataclass(frozen=True, slots=True)
class Proposal:
    """A counted broadcast waiting for its member's confirmation."""

    pending: StaffPending
    tag: Tag
    template: str
    audience: Audience
    preview: str  # as friends read it (one mass message per member, without a name)
    minutes: int  # left to confirm

    @property
    def summary(self) -> str:
        return _summary(self.tag, self.audience)


async def propose_broadcast(ctx: Ctx, tag_word: str, template: str) -> Proposal:
    """Count the tag's audience and store the broadcast for the member to confirm (the newest only)."""
    assert ctx.staff is not None
    tag = await _tag(ctx, tag_word)
    name = _template(ctx, template)
    audience = await _audience(ctx, tag)
    if audience.reachable == 0:
        raise CommandError(f"标签「{tag.name}」下没有可触达的客户（已退订 {audience.opted_out}、"
                           f"无法触达 {audience.unreachable}），没有创建群发。")
    now, minutes = ctx.clock.now(), ctx.settings.of(CommandsConfig).confirm_minutes
    await ctx.repos.pending.cancel_all(ctx.staff.userid, "broadcast")  # only the newest one can be confirmed
    pending = ctx.repos.pending.add(StaffPending(staff_userid=ctx.staff.userid, kind="broadcast", status="pending",
                                                 payload={"tag_id": tag.id, "template": name}, created_at=now,
                                                 expires_at=now + timedelta(minutes=minutes)))
    await ctx.session.flush()
    return Proposal(pending, tag, name, audience, broadcast_text(ctx, name, None), minutes)


async def pending_proposal(ctx: Ctx) -> Proposal | None:
    """The member's unconfirmed broadcast, counted again (tags and opt-outs may have changed)."""
    assert ctx.staff is not None
    now = ctx.clock.now()
    pending = await ctx.repos.pending.latest(ctx.staff.userid, "broadcast", now=now)
    tag = await ctx.session.get(Tag, int(pending.payload["tag_id"])) if pending is not None else None
    name = str(pending.payload["template"]) if pending is not None else ""
    if pending is None or tag is None or name not in ctx.persona.broadcasts:
        return None
    minutes = max(1, int((pending.expires_at - now).total_seconds() // 60))
    return Proposal(pending, tag, name, await _audience(ctx, tag), broadcast_text(ctx, name, None), minutes)


async def run_broadcast(ctx: Ctx, args: BroadcastArgs) -> str:
    if not args.tag:  # "/broadcast" alone: what there is to send, before any tag is counted
        raise CommandError(f"请写上标签和群发模板，例如 /broadcast VIP 模板名。群发模板：\n{template_menu(ctx)}")
    p = await propose_broadcast(ctx, args.tag, args.template)
    return f"{p.summary}\n内容预览：{p.preview}\n确认发送请在 {p.minutes} 分钟内回复 /confirm"


async def confirm_broadcast(ctx: Ctx, *, pending_id: int | None = None) -> str:
    """Confirm the member's newest broadcast (`pending_id`: only if it is still that one): it is queued
    in chunks by `expand_broadcasts`, so a broadcast to 100,000 customers never holds one huge
    transaction; this only marks it confirmed."""
    assert ctx.staff is not None
    pending = await ctx.repos.pending.latest(ctx.staff.userid, "broadcast", now=ctx.clock.now())
    if pending is None:
        raise CommandError("没有待确认的群发（可能已超时），请重新发送 /broadcast。")
    if pending_id is not None and pending.id != pending_id:
        raise CommandError("这次群发已被你之后发起的一次取代，请确认最新的那一次。")
    tag = await ctx.session.get(Tag, int(pending.payload["tag_id"]))
    if tag is None:
        raise CommandError("这次群发的标签已被删除，没有发送。")
    _template(ctx, str(pending.payload["template"]))
    audience = await _audience(ctx, tag)  # counted again: tags and opt-outs may have changed since
    pending.status = "sending"
    pending.payload = {**pending.payload, "cursor": 0, "queued": 0, "suppressed": 0}
    ctx.repos.audit.record(actor=ctx.staff.userid, action="broadcast.confirmed", target=f"tag:{tag.name}",
                           detail={"template": pending.payload["template"], "reachable": audience.reachable},
                           now=ctx.clock.now())
    return f"已确认，正在分批发送（每批 {CHUNK} 人，发完会通知你）。{_summary(tag, audience)}"


async def run_confirm(ctx: Ctx, _: None) -> str:
    return await confirm_broadcast(ctx)


@functools.lru_cache(maxsize=4)
def _sending_broadcast(dialect: str) -> Select[StaffPending]:
    """The next confirmed broadcast to expand, built once per dialect: the worker asks at every wake
    (up to four times a second while outbox rows are written), nearly always of none (bench/README.md,
    tenth session)."""
    stmt = (select(StaffPending).where(StaffPending.kind == "broadcast", StaffPending.status == "sending")
            .order_by(StaffPending.id).limit(1))
    return stmt.with_for_update(skip_locked=True) if dialect == "postgresql" else stmt


async def expand_broadcasts(sessions: async_sessionmaker[AsyncSession],
                            make_context: Callable[[AsyncSession], Ctx]) -> int:
    """Queue the next chunk of one confirmed broadcast in its own transaction; 0 when none is left.

    Resumable: the cursor (last customer id queued) commits with the chunk's outbox rows, so a
    crash re-queues nothing; replicas take different broadcasts (or wait) thanks to the row lock.
    Every customer passes the push gate (caps, quiet hours, opt-out), which reads the chunk's
    counts from one PushLedger (two queries) instead of querying per customer; friends admitted
    for the same time share one proposed mass message per sender."""
    async with sessions.begin() as session:
        ctx = make_context(session)
        pending = (await session.scalars(_sending_broadcast(_dialect(session)))).first()
        if pending is None:
            return 0
        payload = dict(pending.payload)
        tag = await session.get(Tag, int(payload["tag_id"]))
        customers = await ctx.repos.tags.customers_with([tag.id], after_id=int(payload["cursor"]), limit=CHUNK) \
            if tag is not None else []
        name = str(payload["template"])
        open_kfid, key, gate = ctx.settings.wecom.open_kfid, f"broadcast.{name}", ctx.services.push_gate
        wanted = [c for c in customers if c.status == "active" and _route(ctx, c) not in ("opted_out", "unreachable")]
        ledger = await PushLedger.load(session, [c.id for c in wanted], since=ctx.clock.now() - LEDGER_SPAN)
        batches: dict[tuple[str, datetime], list[tuple[PushAdmission, Customer]]] = {}
        for customer in wanted:
            admission = (await plan_push(ctx, gate, customer, key, open_kfid=open_kfid, counts=ledger)).admission
            if admission is None:
                payload["suppressed"] += 1
                continue
            if admission.route == "kf":
                ledger.planned(ctx.outbox.push_kf(admission, open_kfid, customer, broadcast_text(ctx, name, customer),
                                                  template_key=key))
            else:
                batches.setdefault((customer.owner_userid, admission.due_at), []).append((admission, customer))
            payload["queued"] += 1
        for (sender, _), friends in batches.items():
            for start in range(0, len(friends), MASS_LIMIT):
                chunk = friends[start:start + MASS_LIMIT]
                ctx.outbox.push_to_friends([a for a, _ in chunk], sender, [c for _, c in chunk],
                                           broadcast_text(ctx, name, None), template_key=key)
        if customers:
            payload["cursor"] = customers[-1].id
        pending.payload = payload
        if len(customers) < CHUNK:
            pending.status = "done"
            ctx.repos.audit.record(actor=pending.staff_userid, action="broadcast.sent",
                                   target=f"tag:{tag.name if tag else payload['tag_id']}",
                                   detail={"template": name, "queued": payload["queued"],
                                           "suppressed": payload["suppressed"]}, now=ctx.clock.now())
            ctx.outbox.app_text(ctx.settings.wecom.agent_id, pending.staff_userid,
                                f"群发「{name}」已全部排入发送队列：{payload['queued']} 人；"
                                f"{payload['suppressed']} 人因频次上限等原因未发送。")
        return max(1, len(customers))


def parse_confirm(args: list[str]) -> None:
    no_args(args)


# Who may broadcast, by slash command or in the console: one rule for both.
BROADCAST_ROLE = Role.ADMIN
COMMANDS = (
    Command("/broadcast", BROADCAST_ROLE, "/broadcast <标签> <模板>", "按标签群发人设模板，先显示人数再 /confirm",
            parse_broadcast, run_broadcast, order=120),
    Command("/confirm", BROADCAST_ROLE, "/confirm", "确认最近一次 /broadcast", parse_confirm, run_confirm, order=130),
)
