"""Referral tiers (fission, e.g. invite 10 → gift 1, 20 → gift 2).

A participant asks in the kf chat; we create a personal 「联系我」 QR code for the campaign's
staff member whose `state` names the participant (`rf<campaign>x<participant>`, ≤30 chars),
and show it once WeCom answered (follow-up on add_contact_way). Each add_external_contact with
that State counts one *new* friend: customers we already knew, re-adds and the participant
themself are ignored, and a friend who leaves within [referral] leave_grace_hours stops
counting. Reaching a tier is announced to the participant and to the staff member, once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Sequence

from bot.errors import CommandError
from bot.wecom.events import FriendAdded, FriendLeft, FriendRemovedByStaff
from bot.wecom.markdown import plain
from handlers.points import service as points
from handlers.referral.config import ReferralConfig, TierSpec
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from handlers.staff.lookup import by_key_or_name
from handlers.topics.localtime import local_day
from storage.models import Customer, OutboxItem, ReferralCampaign, ReferralInvite, ReferralParticipant
from storage.repos import PointsRepo, ReferralRepo

STATE_PREFIX = "rf"
NEW_FRIEND_SLACK = timedelta(minutes=10)  # first seen this long before the add still counts as new


def state_for(campaign: ReferralCampaign, participant: ReferralParticipant) -> str:
    return f"{STATE_PREFIX}{campaign.id}x{participant.id}"


def tier_dicts(tiers: Sequence[TierSpec | dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        t if isinstance(t, dict) else {"invites": t.invites, "gift": t.gift, "points": t.points} for t in tiers]
    counts = [int(t["invites"]) for t in out]
    if not out or counts != sorted(set(counts)) or counts[0] < 1:
        raise CommandError("奖励档位需按邀请人数从小到大排列，例如 10 人一档、20 人一档")
    return [{"invites": int(t["invites"]), "gift": str(t["gift"]), "points": int(t.get("points") or 0)} for t in out]


def running(campaign: ReferralCampaign, today: date) -> bool:
    return campaign.status == "active" and (campaign.start_date is None or campaign.start_date <= today) \
        and (campaign.end_date is None or today <= campaign.end_date)


def _tiers_text(campaign: ReferralCampaign) -> str:
    return "；".join(f"邀请{t['invites']}位得{t['gift']}" for t in campaign.tiers)


# --- services for staff commands ------------------------------------------------------------


async def create_referral(ctx: Ctx, *, key: str, name: str, staff_userid: str,
                          tiers: Sequence[TierSpec | dict[str, Any]], start: date | None = None,
                          end: date | None = None, actor: str) -> ReferralCampaign:
    key = key.strip()
    if not key or len(key) > 32:
        raise CommandError("活动标识需为 1-32 个字符，例如 spring_invite")
    repo = ReferralRepo(ctx.session)
    if await repo.find(key) is not None:
        raise CommandError(f"邀请活动 {key} 已存在")
    campaign = ReferralCampaign(key=key, name=name.strip() or key, staff_userid=staff_userid, tiers=tier_dicts(tiers),
                                start_date=start, end_date=end, status="active", source=f"staff:{actor}",
                                created_at=ctx.clock.now())
    ctx.session.add(campaign)
    await ctx.session.flush()
    ctx.repos.audit.record(actor=actor, action="referral_created", target=key, now=ctx.clock.now())
    return campaign


async def list_referrals(ctx: Ctx, *, include_ended: bool = False) -> list[ReferralCampaign]:
    return await ReferralRepo(ctx.session).list(include_ended=include_ended)


async def get_referral(ctx: Ctx, key: str) -> ReferralCampaign:
    """The campaign with this key, or else the one with this name ("/referral winners 邀请有礼")."""
    repo = ReferralRepo(ctx.session)
    return by_key_or_name(key, await repo.find(key), await repo.list(include_ended=True), "邀请活动")


async def end_referral(ctx: Ctx, key: str, *, actor: str) -> ReferralCampaign:
    campaign = await get_referral(ctx, key)
    campaign.status, campaign.ended_at = "ended", ctx.clock.now()
    ctx.repos.audit.record(actor=actor, action="referral_ended", target=campaign.key, now=ctx.clock.now())
    return campaign


async def referral_winners(ctx: Ctx, key: str) -> list[dict[str, Any]]:
    """Participants whose valid invites reach a tier now: name, id, count, tier and gift."""
    campaign = await get_referral(ctx, key)
    out = []
    for _, customer, count in await ReferralRepo(ctx.session).standings(campaign.id):
        reached = [t for t in campaign.tiers if count >= t["invites"]]
        if reached:
            tier = reached[-1]
            out.append({"name": customer.remark or customer.name, "external_userid": customer.external_userid,
                        "invites": count, "tier": len(reached), "gift": tier["gift"]})
    return out


def format_winners(campaign_name: str, winners: list[dict[str, Any]]) -> str:
    """Plain text for staff: who reached which tier, to hand out the gifts."""
    if not winners:
        return f"【{campaign_name}】还没有人达到奖励档位"
    rows = [f"{i}. {w['name'] or w['external_userid']}（{w['external_userid']}）"
            f"邀请 {w['invites']} 位 → 第{w['tier']}档 {w['gift']}" for i, w in enumerate(winners, start=1)]
    return "\n".join([f"【{campaign_name}】达标名单：", *rows])


# --- the participant's side (kf chat) --------------------------------------------------------


async def _running(ctx: Ctx) -> ReferralCampaign | None:
    """The campaign customers join now: the newest one running today (local day)."""
    today = local_day(ctx.settings, ctx.clock.now())
    campaigns = [c for c in await ReferralRepo(ctx.session).list() if running(c, today)]
    return campaigns[-1] if campaigns else None


async def join(ctx: Ctx, open_kfid: str) -> list[Say]:
    """Give the customer their personal QR code (queued now, shown when WeCom answers)."""
    customer = ctx.customer
    assert customer is not None
    repo = ReferralRepo(ctx.session)
    campaign = await _running(ctx)
    if campaign is None:
        return [Say("referral.no_campaign")]
    participant = await repo.participant(campaign.id, customer.id)
    facts = {"campaign": campaign.name, "tiers": _tiers_text(campaign)}
    if participant is not None and participant.way_status == "ready":
        participant.open_kfid = open_kfid or participant.open_kfid
        return [Say("referral.link", {**facts, "qr_code": participant.qr_code})]
    if participant is not None and participant.way_status == "pending":
        return [Say("referral.joined", facts)]
    if participant is None:
        participant = ReferralParticipant(campaign_id=campaign.id, customer_id=customer.id, open_kfid=open_kfid,
                                          qr_code="", way_status="pending", joined_at=ctx.clock.now())
        ctx.session.add(participant)
        await ctx.session.flush()
        participant.state = state_for(campaign, participant)
    participant.way_status, participant.open_kfid = "pending", open_kfid or participant.open_kfid
    item = ctx.outbox.add_contact_way(campaign.staff_userid, participant.state or "", customer=customer,
                                      remark=f"邀请:{customer.name or customer.external_userid}")
    await ctx.session.flush()
    participant.outbox_id = item.id
    return [Say("referral.joined", facts)]


async def rules(ctx: Ctx, *, key: str = "referral.rules", none_running: bool = True) -> list[Say]:
    """"邀请朋友有什么奖励吗": the running campaign's tiers and the word that gives the customer their code; nothing
    is created until they send it. `key` "referral.not_joined" says so to one who asked their count; with none
    running, `referral.no_campaign`, or nothing (`none_running` False)."""
    campaign = await _running(ctx)
    if campaign is None:
        return [Say("referral.no_campaign")] if none_running else []
    return [Say(key, {"campaign": campaign.name, "tiers": _tiers_text(campaign),
                                   "keyword": ctx.settings.of(ReferralConfig).join_keyword})]


async def on_now(ctx: Ctx) -> list[Say]:
    """"最近有什么活动吗": the running campaign's tiers and word, a line of what is on; nothing with none running."""
    return await rules(ctx, key="referral.on_now", none_running=False)


async def progress(ctx: Ctx, open_kfid: str, *, join_new: bool = True) -> list[Say]:
    """"我的邀请": how many new friends count so far and what the next gift needs. A customer who never joined
    gets their code (`join_new`) or the rules."""
    customer = ctx.customer
    assert customer is not None
    repo = ReferralRepo(ctx.session)
    for campaign in reversed(await repo.list(include_ended=True)):
        participant = await repo.participant(campaign.id, customer.id)
        if participant is not None:
            return [_progress_say(campaign, await repo.counted(participant.id))]
    return await join(ctx, open_kfid) if join_new else await rules(ctx, key="referral.not_joined")


def _progress_say(campaign: ReferralCampaign, count: int) -> Say:
    nxt = next((t for t in campaign.tiers if t["invites"] > count), None)
    if nxt is None:
        return Say("referral.progress_done", {"campaign": campaign.name, "count": count})
    return Say("referral.progress", {"campaign": campaign.name, "count": count, "next_gift": nxt["gift"],
                                     "to_next": nxt["invites"] - count})


# --- contact events --------------------------------------------------------------------------


async def count_friend(ctx: Ctx, event: FriendAdded) -> None:
    """An add through a participant's QR code: count it if it is a new friend."""
    invitee = ctx.customer
    if invitee is None or not event.state.startswith(STATE_PREFIX):
        return
    repo = ReferralRepo(ctx.session)
    participant = await repo.participant_by_state(event.state)
    if participant is None:
        return
    campaign = await ctx.session.get(ReferralCampaign, participant.campaign_id)
    now = ctx.clock.now()
    detail = {"participant": participant.id, "state": event.state}
    reason = _not_counted(campaign, participant, invitee, ctx.received_at or now, local_day(ctx.settings, now))
    if reason is None and await repo.invite_of(participant.campaign_id, invitee.id) is not None:
        reason = "re-add"
    if reason is not None or campaign is None:
        ctx.repos.audit.record(actor="system", action="referral_ignored", target=invitee.external_userid,
                               detail={**detail, "reason": reason}, now=now)
        return
    ctx.session.add(ReferralInvite(campaign_id=campaign.id, participant_id=participant.id,
                                   invitee_customer_id=invitee.id, staff_userid=event.userid, status="counted",
                                   added_at=now))
    await ctx.session.flush()
    await _announce(ctx, campaign, participant, await repo.counted(participant.id))


def _not_counted(campaign: ReferralCampaign | None, participant: ReferralParticipant, invitee: Customer,
                 added_at: datetime, today: date) -> str | None:
    if campaign is None or not running(campaign, today):
        return "campaign not running"
    if invitee.id == participant.customer_id:
        return "own code"
    if invitee.first_seen_at < added_at - NEW_FRIEND_SLACK:
        return "known customer"
    return None


async def _announce(ctx: Ctx, campaign: ReferralCampaign, participant: ReferralParticipant, count: int) -> None:
    """Tell the inviter their progress, or a tier they just reached (once), and the staff member."""
    inviter = await ctx.repos.customers.get(participant.customer_id)
    now = ctx.clock.now()
    for n, tier in enumerate(campaign.tiers, start=1):
        if count < tier["invites"]:
            break
        key = f"referral:{campaign.id}:{participant.id}:tier{n}"
        if not await PointsRepo(ctx.session).grant_once(key, inviter.id, kind="tier", detail=tier, now=now):
            continue
        result = await points.award(ctx, inviter, tier["points"], reason=f"{campaign.name} 第{n}档奖励",
                                    source="referral", ref=key)
        await tell(ctx, inviter, participant.open_kfid,
                   Say("referral.tier_reached", {"campaign": campaign.name, "count": count, "gift": tier["gift"],
                                                 "tier": n}))
        level_up = await points.level_up_say(ctx, inviter, result)
        if level_up:
            await tell(ctx, inviter, participant.open_kfid, level_up)
        note = ctx.render("referral.staff_winner", staff=campaign.staff_userid, campaign=campaign.name,
                          customer=plain(inviter.remark or inviter.name or inviter.external_userid, 40), count=count,
                          gift=tier["gift"], tier=n)
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, campaign.staff_userid, note.text)
        return
    first = _progress_say(campaign, count)
    if count == 1 and first.key == "referral.progress":  # later progress is asked for ("我的邀请")
        await tell(ctx, inviter, participant.open_kfid, Say("referral.first_friend", first.facts))


async def uncount_friend(ctx: Ctx, event: FriendLeft | FriendRemovedByStaff) -> None:
    """A friend who leaves within the grace period no longer counts (a transfer is not leaving)."""
    invitee = ctx.customer
    if invitee is None or isinstance(event, FriendRemovedByStaff) and event.source == "DELETE_BY_TRANSFER":
        return
    now = ctx.clock.now()
    grace = timedelta(hours=ctx.settings.of(ReferralConfig).leave_grace_hours)
    for invite in await ReferralRepo(ctx.session).invites_of_invitee(invitee.id, event.userid):
        if invite.status == "counted" and now - invite.added_at <= grace:
            invite.status, invite.left_at = "left", now
            ctx.repos.audit.record(actor="system", action="referral_uncounted", target=invitee.external_userid,
                                   detail={"participant": invite.participant_id}, now=now)


# --- follow-ups ------------------------------------------------------------------------------


async def apply_contact_way(ctx: Ctx, item: OutboxItem) -> None:
    """add_contact_way answered: store the config and show the participant their QR code, once."""
    repo = ReferralRepo(ctx.session)
    participant = await repo.participant_by_outbox(item.id)
    result = item.result or {}
    if participant is None or not await repo.claim_way(participant.id, way_status="ready",
                                                       config_id=str(result.get("config_id") or ""),
                                                       qr_code=str(result.get("qr_code") or "")):
        return
    await ctx.session.refresh(participant)
    campaign = await ctx.session.get(ReferralCampaign, participant.campaign_id)
    customer = await ctx.repos.customers.get(participant.customer_id)
    if campaign is not None:
        await tell(ctx, customer, participant.open_kfid,
                   Say("referral.link", {"campaign": campaign.name, "tiers": _tiers_text(campaign),
                                         "qr_code": participant.qr_code}))


async def sweep_contact_ways(ctx: Ctx) -> None:
    """Apply answers a follow-up missed; tell participants whose code could not be made."""
    repo = ReferralRepo(ctx.session)
    for participant, item in await repo.ways_awaiting_result():
        if item.status == "sent":
            await apply_contact_way(ctx, item)
        elif await repo.claim_way(participant.id, way_status="failed"):
            customer = await ctx.repos.customers.get(participant.customer_id)
            await tell(ctx, customer, participant.open_kfid, Say("referral.unavailable"))
            ctx.repos.audit.record(actor="system", action="referral_code_failed", target=customer.external_userid,
                                   detail={"error": item.last_error}, now=ctx.clock.now())
