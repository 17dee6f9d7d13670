"""Staff command /referral: create, list, end a referral campaign (老带新) and see who reached a tier."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from handlers.escalation.routing import member_label
from handlers.referral.service import create_referral, end_referral, format_winners, list_referrals, referral_winners
from handlers.services import Ctx
from handlers.staff.lookup import find_staff
from handlers.staff.parsing import actor, expect, number, subcommand
from storage.models import ReferralCampaign

MAX_LISTED = 20


@dataclass(frozen=True, slots=True)
class ReferralArgs:
    action: str
    key: str = ""
    name: str = ""
    staff: str = ""
    tiers: tuple[tuple[int, str], ...] = ()


def parse_tier(word: str) -> tuple[int, str]:
    """"10=面霜1瓶": invite 10 friends, get a jar of cream."""
    count, sep, gift = word.partition("=")
    if not sep or not gift.strip():
        raise CommandError(f"「{word}」应为 人数=奖品（例如 10=面霜1瓶）。")
    return number(count, "邀请人数"), gift.strip()


def parse_referral(args: list[str]) -> ReferralArgs:
    action = subcommand(args, ("create", "list", "end", "winners"))
    if action == "list":
        expect(args, 1, 1)
        return ReferralArgs(action)
    if action == "create":
        expect(args, 5)
        return ReferralArgs(action, key=args[1], name=args[2], staff=args[3],
                            tiers=tuple(parse_tier(w) for w in args[4:]))
    expect(args, 1, 2)  # no key: answered with the campaigns there are
    return ReferralArgs(action, key=args[1] if len(args) == 2 else "")


def created_text(campaign: ReferralCampaign) -> str:
    """The answer to a created campaign (the command's and the console's)."""
    return f"已创建邀请活动 {campaign.key}「{campaign.name}」，客户发送「邀请有礼」即可参加。"


def ended_text(campaign: ReferralCampaign) -> str:
    return f"邀请活动 {campaign.key}「{campaign.name}」已结束。"


async def run_referral(ctx: Ctx, args: ReferralArgs) -> str:
    if args.action == "list":
        campaigns = await list_referrals(ctx)
        if not campaigns:
            return "没有进行中的邀请活动。用 /referral create 新建。"
        lines = [f"{c.key} {c.name}（接待：{await member_label(ctx, c.staff_userid)}，档位："
                 + "、".join(f"{t['invites']}人→{t['gift']}" for t in c.tiers) + "）" for c in campaigns[:MAX_LISTED]]
        return "\n".join(["进行中的邀请活动：", *lines])
    if args.action == "create":
        staff = await find_staff(ctx, args.staff)
        tiers = [{"invites": n, "gift": gift} for n, gift in args.tiers]
        campaign = await create_referral(ctx, key=args.key, name=args.name, staff_userid=staff.userid, tiers=tiers,
                                         actor=actor(ctx))
        return created_text(campaign)
    if args.action == "end":
        return ended_text(await end_referral(ctx, args.key, actor=actor(ctx)))
    campaign_name = next((c.name for c in await list_referrals(ctx, include_ended=True) if c.key == args.key), args.key)
    return format_winners(campaign_name, await referral_winners(ctx, args.key))


# The console's 邀请活动 page acts with this command's role.
REFERRAL = Command("/referral", "operator",
                   "/referral create <标识> <名称> <接待员工> <人数=奖品...> | list | end <标识> | winners <标识>",
                   "老带新活动：创建、列表、结束、达标名单", parse_referral, run_referral, order=155)
COMMANDS = (REFERRAL,)
