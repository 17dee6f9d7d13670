"""Staff command /campaign: create, list, stats and end check-in camps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands import Command
from handlers.checkin.campaigns import create_campaign, days_of, end_campaign, list_campaigns
from handlers.checkin.stats import campaign_summary, format_summary
from handlers.services import Ctx
from handlers.staff.parsing import actor, expect, number, parse_date, subcommand
from storage.models import CheckinCampaign

MAX_LISTED = 20  # an app text holds about 2 KB; longer lists point to the console


@dataclass(frozen=True, slots=True)
class CampaignArgs:
    action: str
    key: str = ""
    name: str = ""
    start: date | None = None
    days: int = 0
    tag: str = ""


def parse_campaign(args: list[str]) -> CampaignArgs:
    action = subcommand(args, ("create", "list", "stats", "end"))
    rest = args[1:]
    if action == "create":
        key, name, start, days, *tag = expect(rest, 4, 5)
        return CampaignArgs(action, key=key, name=name, start=parse_date(start), days=number(days, "天数"),
                            tag=tag[0] if tag else "")
    if action == "list":
        expect(rest, 0, 0)
        return CampaignArgs(action)
    return CampaignArgs(action, key=(expect(rest, 0, 1) or [""])[0])  # none: answered with the campaigns there are


def created_text(c: CheckinCampaign) -> str:
    """The answer to a created campaign (the command's and the console's)."""
    only = f"，仅限标签「{c.tag}」" if c.tag else ""
    return (f"已创建打卡活动【{c.name}】（{c.key}）：{c.start_date:%Y-%m-%d} 起共 {days_of(c)} 天，"
            f"每天 {c.daily_window} 打卡{only}。客户发送“打卡”即可参加。")


def ended_text(c: CheckinCampaign) -> str:
    return f"打卡活动【{c.name}】已结束，之后的打卡会收到活动已结束的提示。"


async def run_campaign(ctx: Ctx, args: CampaignArgs) -> str:
    if args.action == "create":
        assert args.start is not None
        c = await create_campaign(ctx, key=args.key, name=args.name, start=args.start, days=args.days, tag=args.tag,
                                  actor=actor(ctx))
        return created_text(c)
    if args.action == "list":
        campaigns = await list_campaigns(ctx, include_ended=True)
        if not campaigns:
            return "还没有打卡活动。用 /campaign create 创建。"
        return "\n".join(f"{c.key} 【{c.name}】{c.start_date:%m-%d}~{c.end_date:%m-%d}"
                         f"{'（已结束）' if c.status != 'active' else ''}" for c in campaigns[:MAX_LISTED])
    if args.action == "stats":
        return format_summary(await campaign_summary(ctx, args.key, top=5))
    return ended_text(await end_campaign(ctx, args.key, actor=actor(ctx)))


# The console's 活动与话题 page acts with this command's role.
CAMPAIGN = Command("/campaign", "operator",
                   "/campaign create <标识> <名称> <开始日期> <天数> [标签] | list | stats <标识> | end <标识>",
                   "打卡活动：创建、列表、数据与排行、提前结束", parse_campaign, run_campaign, order=150)
COMMANDS = (CAMPAIGN,)
