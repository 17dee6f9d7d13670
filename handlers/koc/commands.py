"""Staff commands /koc [N], /koc tag [N] and /suggestions [N]."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from bot.wecom.markdown import plain
from handlers.koc.config import KocConfig
from handlers.koc.score import top_kocs
from handlers.points.levels import least_busy_advisor
from handlers.services import Ctx
from handlers.staff.parsing import actor, expect
from handlers.tagging.service import give_tag
from storage.models import Customer
from storage.repos.koc import KocRepo

DEFAULT_N, MAX_N = 10, 50


@dataclass(frozen=True, slots=True)
class TopArgs:
    n: int
    tag: bool = False


def _count(word: str) -> int:
    if not word.isdigit() or not 1 <= int(word) <= MAX_N:
        raise CommandError(f"「{word}」应为 1 到 {MAX_N} 之间的数字。")
    return int(word)


def parse_koc(args: list[str]) -> TopArgs:
    expect(args, 0, 2)
    if args and args[0] == "tag":
        return TopArgs(_count(args[1]) if len(args) == 2 else DEFAULT_N, tag=True)
    if len(args) > 1:
        raise CommandError("参数太多了。")
    return TopArgs(_count(args[0]) if args else DEFAULT_N)


def _who(customer: Customer) -> str:
    return plain(customer.name or customer.remark or customer.external_userid, 30)


async def run_koc(ctx: Ctx, args: TopArgs) -> str:
    config = ctx.settings.of(KocConfig)
    scores = await top_kocs(ctx, args.n)
    if not scores:
        return f"最近 {config.days} 天还没有可计分的客户（邀请、打卡、订单、发言）。"
    if args.tag:
        return await tag_kocs(ctx, [s.customer for s in scores])
    lines = [f"{i}. {_who(s.customer)} {s.score:g} 分（{s.why()}）" for i, s in enumerate(scores, 1)]
    return "\n".join([f"KOC 前 {len(scores)}（最近 {config.days} 天）：", *lines,
                      f"给他们打标签并分配顾问：/koc tag {len(scores)}"])


async def tag_kocs(ctx: Ctx, customers: list[Customer]) -> str:
    """Give the top customers the KOC tag and, for 1:1 care, an advisor if they have none."""
    config, now = ctx.settings.of(KocConfig), ctx.clock.now()
    if not config.tag:
        raise CommandError("没有配置 KOC 标签（[koc] tag）。")
    tagged = assigned = 0
    for customer in customers:
        tagged += await give_tag(ctx, customer, config.tag, source=f"staff:{actor(ctx)}")
        if not customer.advisor_userid:
            customer.advisor_userid = await least_busy_advisor(ctx)
            assigned += bool(customer.advisor_userid)
    ctx.repos.audit.record(actor=actor(ctx), action="koc.tag", target=config.tag,
                           detail={"customers": [c.id for c in customers], "tagged": tagged, "assigned": assigned},
                           now=now)
    name = config.tag.partition(":")[2].strip()
    return f"已给 {tagged} 位 KOC 打上「{name}」（其余已有），为 {assigned} 位分配了专属顾问。"


def parse_suggestions(args: list[str]) -> int:
    expect(args, 0, 1)
    return _count(args[0]) if args else DEFAULT_N


async def run_suggestions(ctx: Ctx, n: int) -> str:
    rows = await KocRepo(ctx.session).latest_suggestions(n)
    if not rows:
        return "还没有记录到客户建议。"
    tz = ctx.local_now.tzinfo
    lines = [f"{s.created_at.astimezone(tz):%m-%d} {_who(c)}：{plain(s.text, 80)}" for s, c in rows]
    return "\n".join([f"最近 {len(rows)} 条客户建议：", *lines])


COMMANDS = (
    Command("/koc", "operator", "/koc [tag] [N]", "KOC 排行及理由；tag：打标签并分配顾问", parse_koc, run_koc,
            order=170),
    Command("/suggestions", "operator", "/suggestions [N]", "最近的客户建议", parse_suggestions, run_suggestions,
            order=175),
)
