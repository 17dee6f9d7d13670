"""Check-ins: "打卡" (and "补卡" make-up cards) in the kf chat, acknowledged by the persona.

Every answer is decided here and spoken by the caller: counted (with streak and today's rank),
duplicate, too early / late for today's window, not started, ended, not eligible, make-up
used up or nothing to make up. A day is counted at most once: `checkin` is unique per
(campaign, customer, day), make-ups included. Milestones are granted once by their reward key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.wecom.events import KfMessageReceived
from handlers.checkin.campaigns import days_of, eligible, is_over
from handlers.checkin.config import CheckinConfig
from handlers.points import service as points
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from handlers.topics.localtime import in_window, local_day, minute_of_day, quiet, window_of
from persona import times
from persona.heard import heard
from storage.models import Checkin, CheckinCampaign, CheckinParticipant, CheckinReminder, Customer
from storage.repos import CampaignRepo, PointsRepo

BADGE_TAG_GROUP = "打卡徽章"
ENDED_ANSWER_DAYS = 7  # after this, "打卡" for an old campaign is just "no campaign now"
_TRIM = " \t:：,，。.!！~～"


@dataclass(frozen=True, slots=True)
class Request:
    makeup: bool
    rest: str  # what follows the keyword: campaign name and/or today's content


# Said before the keyword by someone checking in: "我要打卡", "我来打卡了", "今天也来打卡", "来补卡" (the sandbox of
# 2026-12-06: "我要打卡" got small talk)
_LEAD = re.compile(r"^(?:我(?:要|来|想|又来|也来)?|来|今天(?:也)?(?:来)?|今日)")
_DONE = " \t:：,，。.!！~～了啦咯喽啊呀"


def parse_request(ctx: Ctx, text: str) -> Request | None:
    t, cfg = heard(text.strip()), ctx.settings.of(CheckinConfig)  # "簽到" too
    for keyword, makeup in ((heard(cfg.makeup_keyword), True), (heard(cfg.keyword), False)):
        if t.startswith(keyword):
            return Request(makeup, t[len(keyword):].strip(_TRIM))
        led = _LEAD.match(t)
        if led and t[led.end():].startswith(keyword) and not t[led.end() + len(keyword):].strip(_DONE):
            return Request(makeup, "")  # only the keyword after the lead: "我要打卡" is no content for today
    return None


def is_checkin(event: KfMessageReceived, ctx: Ctx) -> bool:
    """Route filter: a customer's text that starts with the check-in or make-up keyword."""
    return event.from_customer and event.msgtype == "text" and parse_request(ctx, event.text) is not None


def streak(days: list[date] | set[date], today: date) -> int:
    """Consecutive counted days ending today (or yesterday, while today is still open)."""
    have = set(days)
    d, n = (today if today in have else today - timedelta(days=1)), 0
    while d in have:
        n, d = n + 1, d - timedelta(days=1)
    return n


def rewards_text(milestone: dict[str, object]) -> str:
    """'10 积分、「7天达人」徽章、满99减10券' — the parts a milestone actually has."""
    parts = []
    if milestone.get("points"):
        parts.append(f"{milestone['points']} 积分")
    if milestone.get("badge"):
        parts.append(f"「{milestone['badge']}」徽章")
    if milestone.get("coupon"):
        parts.append(str(milestone["coupon"]))
    return "、".join(parts) or "一份坚持的好心情"


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


async def _choose(ctx: Ctx, customer: Customer, rest: str,
                  today: date) -> tuple[CheckinCampaign | None, str, Say | None]:
    """Which campaign a message means; or the answer when none fits."""
    repo = CampaignRepo(ctx.session)
    campaigns = await repo.list(include_ended=True)
    for c in campaigns:
        for label in (c.name, c.key):
            if rest and rest.lower().startswith(label.lower()):
                return c, rest[len(label):].strip(_TRIM), None
    joined = await repo.joined_campaign_ids(customer.id)
    running = [c for c in campaigns if not is_over(c, today) and c.start_date <= today]
    candidates = [c for c in running if c.id in joined] or [c for c in running if await eligible(ctx, c, customer)]
    if len(candidates) == 1:
        return candidates[0], rest, None
    if candidates:
        names = "、".join(c.name for c in candidates)
        return None, rest, Say("checkin.which", {"campaigns": names, "keyword": ctx.settings.of(CheckinConfig).keyword})
    ended = [c for c in campaigns if c.id in joined and is_over(c, today)
             and c.end_date >= today - timedelta(days=ENDED_ANSWER_DAYS)]
    upcoming = [c for c in campaigns if c.status == "active" and c.start_date > today]
    for c in ended[-1:] + upcoming[:1] + running[:1]:
        return c, rest, None  # answered below: ended / not started / not eligible
    return None, rest, Say("checkin.no_campaign")


async def check_in(ctx: Ctx, event: KfMessageReceived) -> list[Say]:
    """Handle one 打卡/补卡 message; returns what the persona should answer, in order."""
    customer, request = ctx.customer, parse_request(ctx, event.text)
    assert customer is not None and request is not None
    now = ctx.clock.now()
    today = local_day(ctx.settings, now)
    campaign, rest, answer = await _choose(ctx, customer, request.rest, today)
    if campaign is None:
        return [answer] if answer else []
    repo = CampaignRepo(ctx.session)
    facts: dict[str, object] = {"campaign": campaign.name, "days": days_of(campaign),
                                "window": campaign.daily_window, "keyword": ctx.settings.of(CheckinConfig).keyword}
    participant = await repo.participant(campaign.id, customer.id)
    if is_over(campaign, today):
        total = len(await repo.days_of(campaign.id, customer.id)) if participant else 0
        return [Say("checkin.ended", {**facts, "total": total})]
    if today < campaign.start_date:
        return [Say("checkin.not_started", {**facts, "start": _md(campaign.start_date)})]
    if participant is None and not await eligible(ctx, campaign, customer):
        return [Say("checkin.not_eligible", facts)]
    minute, window = minute_of_day(ctx.settings, now), window_of(campaign.daily_window)
    if not in_window(minute, window):
        early = window[0] <= window[1] and minute < window[0]
        return [Say("checkin.too_early" if early else "checkin.late", facts)]
    if participant is None:
        if request.makeup:
            return [Say("checkin.makeup_none", facts)]
        participant = CheckinParticipant(campaign_id=campaign.id, customer_id=customer.id, open_kfid=event.open_kfid,
                                         makeups_used=0, joined_at=now)
        ctx.session.add(participant)
    participant.open_kfid = event.open_kfid or participant.open_kfid
    days = await repo.days_of(campaign.id, customer.id)
    if request.makeup:
        return await _make_up(ctx, campaign, participant, customer, days, today, facts, event.msgid)
    existing = await repo.checkin_on(campaign.id, customer.id, today)
    if existing is not None:
        rank = await repo.on_time_rank(campaign.id, today, existing.id) if existing.kind == "on_time" else 0
        return [Say("checkin.duplicate", {**facts, "streak": streak(days, today), "total": len(days),
                                          "rank_today": rank})]
    need = ctx.settings.of(CheckinConfig).min_content_chars
    if need and len(rest) < need:
        return [Say("checkin.need_content", facts)]
    grace = timedelta(minutes=ctx.settings.of(CheckinConfig).photo_grace_min)
    row = Checkin(campaign_id=campaign.id, customer_id=customer.id, day=today,
                  day_index=(today - campaign.start_date).days + 1, kind="on_time", content=rest[:500],
                  has_photo=await repo.photo_since(customer.id, now - grace), msgid=event.msgid, created_at=now)
    ctx.session.add(row)
    await ctx.session.flush()
    days = sorted([*days, today])
    rank = await repo.on_time_rank(campaign.id, today, row.id)
    first = await points.award(ctx, customer, campaign.points_per_checkin, reason=f"{campaign.name} 打卡",
                               source="checkin", ref=f"checkin:{row.id}")
    ack = Say("checkin.ok", {**facts, "day": row.day_index, "streak": streak(days, today), "total": len(days),
                             "rank_today": rank, "points": first.delta})
    return [ack, *await _milestones(ctx, campaign, customer, len(days), first.before)]


async def _make_up(ctx: Ctx, campaign: CheckinCampaign, participant: CheckinParticipant, customer: Customer,
                   days: list[date], today: date, facts: dict[str, object], msgid: str) -> list[Say]:
    """补卡: fill the latest missed day within `makeup_days`, at most `makeup_limit` times."""
    if participant.makeups_used >= campaign.makeup_limit:
        return [Say("checkin.makeup_used_up", {**facts, "limit": campaign.makeup_limit})]
    earliest = max(campaign.start_date, today - timedelta(days=ctx.settings.of(CheckinConfig).makeup_days))
    have = set(days)
    missed = [earliest + timedelta(days=i) for i in range((today - earliest).days)]
    missed = [d for d in missed if d not in have]
    if not missed:
        return [Say("checkin.makeup_none", facts)]
    day = missed[-1]
    row = Checkin(campaign_id=campaign.id, customer_id=customer.id, day=day,
                  day_index=(day - campaign.start_date).days + 1, kind="makeup", content="", has_photo=False,
                  msgid=msgid, created_at=ctx.clock.now())
    ctx.session.add(row)
    participant.makeups_used += 1
    await ctx.session.flush()
    days = sorted([*days, day])
    first = await points.award(ctx, customer, campaign.points_per_checkin, reason=f"{campaign.name} 补卡",
                               source="checkin", ref=f"checkin:{row.id}")
    ack = Say("checkin.makeup_ok", {**facts, "date": _md(day), "left": campaign.makeup_limit - participant.makeups_used,
                                    "streak": streak(days, today), "total": len(days), "points": first.delta})
    return [ack, *await _milestones(ctx, campaign, customer, len(days), first.before)]


async def _milestones(ctx: Ctx, campaign: CheckinCampaign, customer: Customer, total: int,
                      before: points.Standing) -> list[Say]:
    """Grant every milestone reached and not granted yet; then announce a new level, if any."""
    says: list[Say] = []
    now = ctx.clock.now()
    for m in campaign.milestones:
        if m["day"] > total:
            continue
        key = f"checkin:{campaign.id}:{customer.id}:day{m['day']}"
        if not await PointsRepo(ctx.session).grant_once(key, customer.id, kind="milestone", detail=m, now=now):
            continue
        await points.award(ctx, customer, int(m.get("points") or 0), reason=f"{campaign.name} 第{m['day']}天里程碑",
                           source="milestone", ref=key)
        if m.get("badge"):
            tag = await ctx.repos.tags.ensure(BADGE_TAG_GROUP, m["badge"], now=now)
            await ctx.repos.tags.attach(customer.id, tag, source=f"campaign:{campaign.key}", now=now)
        says.append(Say("checkin.milestone", {"campaign": campaign.name, "milestone": m["day"], "total": total,
                                              "rewards": rewards_text(m)}))
    after = await points.standing(ctx, customer)
    level_up = await points.level_up_say(ctx, customer, points.Award(after.balance - before.balance, before, after))
    return says + ([level_up] if level_up else [])


async def attach_photo(ctx: Ctx, event: KfMessageReceived) -> bool:
    """A photo sent shortly after today's check-in becomes its proof; True when it did."""
    customer = ctx.customer
    assert customer is not None
    now, settings = ctx.clock.now(), ctx.settings.of(CheckinConfig)
    return await CampaignRepo(ctx.session).mark_photo(customer.id, local_day(ctx.settings, now),
                                                      since=now - timedelta(minutes=settings.photo_grace_min)) > 0


async def send_reminders(ctx: Ctx, fire_time: datetime) -> int:
    """Job: one reminder per day to participants who have not checked in, never in quiet hours."""
    now = ctx.clock.now()
    if quiet(ctx.settings, now):
        return 0
    repo, today, minute = CampaignRepo(ctx.session), local_day(ctx.settings, now), minute_of_day(ctx.settings, now)
    sent = 0
    for campaign in await repo.running(today):
        due = times.minutes(campaign.remind_at)
        if minute < due or not in_window(minute, window_of(campaign.daily_window)):
            continue
        for participant, customer in await repo.unreminded(campaign.id, today):
            if customer.opted_out:
                continue
            days = await repo.days_of(campaign.id, customer.id)
            say = Say("checkin.reminder", {"campaign": campaign.name, "day": (today - campaign.start_date).days + 1,
                                           "days": days_of(campaign), "streak": streak(days, today),
                                           "window": campaign.daily_window,
                                           "keyword": ctx.settings.of(CheckinConfig).keyword}, kind="push")
            item = await tell(ctx, customer, participant.open_kfid, say)
            if item is not None:
                await ctx.session.flush()
                sent += 1
            # recorded even when the kf window is closed, so we do not retry every 10 minutes
            ctx.session.add(CheckinReminder(campaign_id=campaign.id, customer_id=customer.id, day=today,
                                            outbox_id=item.id if item is not None else None, created_at=now))
    return sent
