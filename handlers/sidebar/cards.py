"""What the chat sidebar shows, read through the features' own functions: one customer's facts
(tags, stage, VIP, points and level, check-in streaks, invitations, open ticket, recent kf
messages, staff notes), one customer group's community (its interest group, topic calendar and
members' check-ins today), and the quick replies (the persona's [scripts] and the knowledge base)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.console.frame import staff_names
from bot.crontab import crontab
from handlers.checkin.campaigns import days_of
from handlers.checkin.service import streak
from handlers.customers.notes import notes_of
from handlers.escalation.config import EscalationConfig
from handlers.escalation.console import TicketView, view_of
from handlers.escalation.routing import member_label
from handlers.escalation.rules import is_vip
from handlers.greeting.config import channel_name
from handlers.orders.profile import sidebar_orders
from handlers.points.service import Standing, standing
from handlers.points.shipping import sidebar_redemptions
from handlers.services import Ctx
from handlers.topics.localtime import local_day, zone
from handlers.topics.service import pick_topic
from storage.models import Customer, CustomerGroup, CustomerNote, InterestGroup, Message
from storage.repos import CampaignRepo, InterestRepo, ReferralRepo, TopicRepo

RECENT_MESSAGES = 8
MEMBERS_SHOWN = 100


@dataclass(frozen=True, slots=True)
class Streak:
    campaign: str
    streak: int  # consecutive days up to today (or yesterday while today is still open)
    today: bool
    total: int  # days counted so far
    days: int  # the campaign's length


@dataclass(frozen=True, slots=True)
class Invites:
    campaign: str
    count: int
    next_gift: str  # "" once every tier is reached
    next_at: int


@dataclass(frozen=True, slots=True)
class CustomerCard:
    customer: Customer
    tags: list[str]  # "组/名称", as /untag takes them
    stage: str  # the stage's label
    vip: bool
    points: Standing
    checkins: list[Streak]
    invites: list[Invites]
    ticket: TicketView | None
    messages: list[Message]
    notes: list[CustomerNote]
    names: dict[str, str]  # staff userid → name, to show members as 王芳（wang.fang）
    orders: str = ""  # what they bought: the /whois summary and the latest order
    channel: str = ""  # where they came from, by the channel's name ([channels.<state>] name)
    redemptions: str = ""  # rewards waiting to be shipped and where to (or that the address is awaited)


async def customer_card(ctx: Ctx, customer: Customer) -> CustomerCard:
    tags = await ctx.repos.tags.of_customer(customer.id)
    names = [t.name for t in tags]
    stage = ctx.persona.stages.get(customer.stage)
    ticket = await ctx.repos.tickets.find_open(customer.id)
    return CustomerCard(
        customer=customer, tags=[f"{t.group_name}/{t.name}" if t.group_name else t.name for t in tags],
        stage=stage.label if stage else customer.stage, vip=is_vip(customer, names, ctx.settings.of(EscalationConfig)),
        points=await standing(ctx, customer), checkins=await _streaks(ctx, customer),
        invites=await _invites(ctx, customer), ticket=view_of(ticket, customer) if ticket else None,
        messages=await ctx.repos.messages.recent(customer.id, RECENT_MESSAGES, channel="kf"),
        notes=await notes_of(ctx, customer),
        names=await staff_names(ctx.session), orders=await sidebar_orders(ctx, customer),
        redemptions=await sidebar_redemptions(ctx, customer), channel=channel_name(ctx.settings, customer.channel))


async def _streaks(ctx: Ctx, customer: Customer) -> list[Streak]:
    repo, today = CampaignRepo(ctx.session), local_day(ctx.settings, ctx.clock.now())
    joined = await repo.joined_campaign_ids(customer.id)
    out = []
    for campaign in await repo.list():  # active campaigns, oldest first
        if campaign.id in joined:
            days = await repo.days_of(campaign.id, customer.id)
            out.append(Streak(campaign.name, streak(days, today), today in days, len(days), days_of(campaign)))
    return out


async def _invites(ctx: Ctx, customer: Customer) -> list[Invites]:
    repo, out = ReferralRepo(ctx.session), []
    for campaign in await repo.list(include_ended=True):
        participant = await repo.participant(campaign.id, customer.id)
        if participant is None:
            continue
        count = await repo.counted(participant.id)
        nxt = next((t for t in campaign.tiers if t["invites"] > count), None)
        out.append(Invites(campaign.name, count, str(nxt["gift"]) if nxt else "", int(nxt["invites"]) if nxt else 0))
    return out


# --- a customer group ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    cron: str
    active: bool
    next_at: datetime | None  # local time


@dataclass(frozen=True, slots=True)
class MemberCheckin:
    name: str
    campaign: str
    today: bool
    streak: int


@dataclass(frozen=True, slots=True)
class GroupCard:
    group: CustomerGroup
    interest: InterestGroup | None
    slots: list[Slot]
    next_topic: str
    recent_topics: list[tuple[datetime, str]]  # local fire time, topic text
    customers: int  # members who are customers we know
    members: int
    checkins: list[MemberCheckin]  # members in running campaigns, not yet checked in first
    owner: str  # the group's owner as staff read them: 王芳（wang.fang）; "—" before WeCom told us


async def group_card(ctx: Ctx, group: CustomerGroup) -> GroupCard:
    interests = InterestRepo(ctx.session)
    link = await interests.link_of(group.chat_id)
    interest = await interests.get_by_id(link.interest_group_id) if link else None
    slots: list[Slot] = []
    next_topic, recent = "", []
    if interest is not None:
        topics, tz, now = TopicRepo(ctx.session), zone(ctx.settings), ctx.clock.now()
        for schedule in await topics.schedules(interest.id):
            active = schedule.status == "active" and interest.status == "active"
            upcoming = crontab(schedule.cron, timezone=tz).get_next_fire_time(None, now) \
                if active else None
            slots.append(Slot(schedule.cron, active, upcoming))
        topic = await pick_topic(ctx, interest)
        next_topic = topic.text if topic else ""
        texts = {t.id: t.text for t in await topics.topics(interest.id)}
        recent = [(t.astimezone(tz), texts.get(tid, "")) for t, _, tid in await topics.recent_fires(interest.id, 3)]
    members = await interests.active_members(group.id)
    customers = await ctx.repos.customers.find_many(sorted(members))
    owner = await member_label(ctx, group.owner_userid) if group.owner_userid else "—"
    return GroupCard(group, interest, slots, next_topic, recent, len(customers), len(members),
                     await _member_checkins(ctx, customers), owner)


async def _member_checkins(ctx: Ctx, customers: list[Customer]) -> list[MemberCheckin]:
    repo, today = CampaignRepo(ctx.session), local_day(ctx.settings, ctx.clock.now())
    ids = [c.id for c in customers]
    out = []
    for campaign in await repo.running(today):
        joined = await repo.participating(campaign.id, ids)
        days = await repo.days_by_customer(campaign.id, sorted(joined))
        for c in customers:
            if c.id in joined:
                out.append(MemberCheckin(c.name or c.remark or c.external_userid, campaign.name,
                                         today in days[c.id], streak(days[c.id], today)))
    out.sort(key=lambda m: (m.today, -m.streak, m.name))
    return out[:MEMBERS_SHOWN]


# --- quick replies ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    title: str
    text: str  # what sendChatMessage puts into the chat
    source: str  # "话术" (the persona's scripts) | "知识库"


def quick_replies(ctx: Ctx, query: str = "", *, name: str = "", limit: int = 30) -> list[Reply]:
    """The persona's scripts, then knowledge-base answers; with a query, those whose title, text or
    questions contain it (case-insensitive)."""
    q = query.strip().lower()
    found = [(Reply(title, text, "话术"), f"{title}\n{text}")
             for title in ctx.persona.scripts for text in [ctx.persona.render_script(title, name=name)]]
    found += [(Reply(e.questions[0], e.answer, "知识库"), "\n".join((*e.questions, e.answer)))
              for e in ctx.services.knowledge.entries]
    return [reply for reply, haystack in found if q in haystack.lower()][:limit]
