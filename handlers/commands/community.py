"""Staff commands for community operations: /topic, /campaign, /points. The work is done by
handlers/community (the same functions the seed file and the console use); these only parse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.context import Context
from bot.errors import CommandError
from handlers.commands.lookup import find_customer
from handlers.commands.registry import expect
from handlers.community.campaign_stats import campaign_summary, format_summary
from handlers.community.campaigns import create_campaign, days_of, end_campaign, list_campaigns
from handlers.community.points import adjust_points
from handlers.community.topics import add_topic, list_topics, set_topic_status

MAX_LISTED = 20  # an app text holds about 2 KB; longer lists point to the console


def _actor(ctx: Context) -> str:
    assert ctx.staff is not None
    return ctx.staff.userid


def _subcommand(args: list[str], choices: tuple[str, ...]) -> str:
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


def _number(word: str, what: str) -> int:
    if not re.fullmatch(r"\d{1,12}", word.lstrip("#")):
        raise CommandError(f"「{word}」不是{what}（例如 12）。")
    return int(word.lstrip("#"))


# --- /topic add <兴趣群> <内容> | list [兴趣群] | pause|resume <编号> -------------------------------


@dataclass(frozen=True, slots=True)
class TopicArgs:
    action: str
    group: str = ""
    text: str = ""
    topic_id: int = 0


def parse_topic(args: list[str]) -> TopicArgs:
    action = _subcommand(args, ("add", "list", "pause", "resume"))
    rest = args[1:]
    if action == "add":
        expect(rest, 2)
        return TopicArgs(action, group=rest[0], text=" ".join(rest[1:]))
    if action == "list":
        return TopicArgs(action, group=expect(rest, 0, 1)[0] if rest else "")
    return TopicArgs(action, topic_id=_number(expect(rest, 1, 1)[0], "话题编号"))


async def run_topic(ctx: Context, args: TopicArgs) -> str:
    if args.action == "add":
        topic = await add_topic(ctx, args.group, args.text, actor=_actor(ctx))
        return f"已加入 {args.group} 的话题轮换：#{topic.id} {topic.text}"
    if args.action == "list":
        topics = await list_topics(ctx, args.group or None)
        if not topics:
            return "还没有话题。用 /topic add <兴趣群> <内容> 添加。"
        lines = [f"#{t.id} {'⏸ ' if t.status == 'paused' else ''}{t.text[:40]}（已发 {t.post_count} 次）"
                 for t in topics[:MAX_LISTED]]
        more = f"\n……共 {len(topics)} 个，完整列表见控制台" if len(topics) > MAX_LISTED else ""
        return "\n".join(lines) + more
    status = "paused" if args.action == "pause" else "active"
    topic = await set_topic_status(ctx, args.topic_id, status, actor=_actor(ctx))
    return f"话题 #{topic.id} 已{'暂停' if status == 'paused' else '恢复'}：{topic.text[:40]}"


# --- /campaign create <标识> <名称> <开始日期> <天数> [标签] | list | stats <标识> | end <标识> --------


@dataclass(frozen=True, slots=True)
class CampaignArgs:
    action: str
    key: str = ""
    name: str = ""
    start: date | None = None
    days: int = 0
    tag: str = ""


def parse_campaign(args: list[str]) -> CampaignArgs:
    action = _subcommand(args, ("create", "list", "stats", "end"))
    rest = args[1:]
    if action == "create":
        key, name, start, days, *tag = expect(rest, 4, 5)
        return CampaignArgs(action, key=key, name=name, start=parse_date(start), days=_number(days, "天数"),
                            tag=tag[0] if tag else "")
    if action == "list":
        expect(rest, 0, 0)
        return CampaignArgs(action)
    return CampaignArgs(action, key=expect(rest, 1, 1)[0])


async def run_campaign(ctx: Context, args: CampaignArgs) -> str:
    if args.action == "create":
        assert args.start is not None
        c = await create_campaign(ctx, key=args.key, name=args.name, start=args.start, days=args.days, tag=args.tag,
                                  actor=_actor(ctx))
        only = f"，仅限标签「{c.tag}」" if c.tag else ""
        return (f"已创建打卡活动【{c.name}】（{c.key}）：{c.start_date:%Y-%m-%d} 起共 {days_of(c)} 天，"
                f"每天 {c.daily_window} 打卡{only}。客户发送“打卡”即可参加。")
    if args.action == "list":
        campaigns = await list_campaigns(ctx, include_ended=True)
        if not campaigns:
            return "还没有打卡活动。用 /campaign create 创建。"
        return "\n".join(f"{c.key} 【{c.name}】{c.start_date:%m-%d}~{c.end_date:%m-%d}"
                         f"{'（已结束）' if c.status != 'active' else ''}" for c in campaigns[:MAX_LISTED])
    if args.action == "stats":
        return format_summary(await campaign_summary(ctx, args.key, top=5))
    c = await end_campaign(ctx, args.key, actor=_actor(ctx))
    return f"打卡活动【{c.name}】已结束，之后的打卡会收到活动已结束的提示。"


# --- /points <客户> +N|-N <原因> --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointsArgs:
    customer: str
    delta: int
    reason: str


def parse_points(args: list[str]) -> PointsArgs:
    expect(args, 3)
    if not re.fullmatch(r"[+-]\d{1,6}", args[1]):
        raise CommandError(f"「{args[1]}」应为 +N 或 -N（例如 +50）。")
    return PointsArgs(args[0], int(args[1]), " ".join(args[2:]))


async def run_points(ctx: Context, args: PointsArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    result = await adjust_points(ctx, customer.external_userid, args.delta, reason=args.reason, actor=_actor(ctx))
    level = f" · 等级：{result.after.level.name}" if result.after.level else ""
    who = customer.name or customer.remark or customer.external_userid
    return f"已为 {who} {args.delta:+d} 积分（{args.reason}），当前 {result.after.balance} 分{level}。"
