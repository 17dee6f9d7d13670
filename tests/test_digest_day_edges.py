"""The edges of the digest's day, for every source: an event at exactly local midnight belongs to
the day it starts, never to the day before too (the end is exclusive: `<`, not `<=`) and never to
no day (the start is inclusive), in a fixed-offset zone and across both daylight-saving switches.

For each zone one database holds, for every provider, one row at the first instant of day D and
one at the first instant of D+1; the test computes D-1, D and D+1 and names every number that
landed on the wrong day. Other edges of the same kind are pinned too: a check-in participant who
joined at midnight, a camp ended at midnight, a retention cohort added at midnight, a customer lost
at midnight and a message at midnight in the 7-day activity window.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.digest_metrics import Breakdown, Window
from handlers.digest.registry import default_registry
from storage.models import (
    AuditLog,
    Checkin,
    CheckinCampaign,
    CheckinParticipant,
    CustomerGroup,
    GroupMembership,
    InboundEvent,
    InterestGroup,
    LlmReply,
    Message,
    OutboxItem,
    PointsEntry,
    ReferralCampaign,
    ReferralInvite,
    ReferralParticipant,
    ShopOrder,
    StageEntry,
    SuppressedPush,
    Ticket,
    Topic,
    TopicPost,
    TopicSchedule,
    UnansweredQuestion,
)
from storage.repos import CustomerRepo, TagRepo

# (zone, day D): a fixed offset; New York's 23-hour spring-forward day; Berlin's 25-hour fall-back day.
ZONES = [("Asia/Shanghai", date(2024, 3, 20)), ("America/New_York", date(2024, 3, 10)),
         ("Europe/Berlin", date(2024, 10, 27))]

# What D-1, D and D+1 must show: one row at D's first instant and one at D+1's.
EXPECTED: dict[str, tuple[object, object, object]] = {
    "growth.new_friends": (0, 1, 1), "growth.lost_friends": (0, 1, 1),
    "growth.group_joins": (0, 1, 1), "growth.group_leaves": (0, 1, 1),
    "activity.active_customers": (0, 1, 1), "activity.messages_in": (0, 1, 1), "activity.messages_out": (0, 1, 1),
    "service.answer_rate": (None, 1.0, 0.0),  # the answer at D's start, the fallback at D+1's
    "service.human_replies": (0, 1, 1),
    "activity.top_keywords": (0, 1, 1),  # mentions of 面霜
    # D: camp 1 (1 of 1 checked in; the participant who joined at midnight is D+1's) and camp 3 (ended
    # at midnight: still D's, 0 of 1) → 1/2; D-1 and D+1: nobody checked in.
    "activity.checkin_rate": (0.0, 0.5, 0.0),
    "activity.topics": (0, 1, 1),
    # D's cohort was added at D-7's first instant, D+1's at D-6's; D's customer left at midnight
    # after D (still a friend at D's end) and wrote exactly then (not within D's 7 days).
    "retention.kept_7d": (None, 1.0, 1.0), "retention.active_7d": (None, 0.0, 0.0),
    "conversion.tags_applied": (0, 1, 1), "conversion.stage_transitions": (0, 1, 1), "conversion.referrals": (0, 1, 1),
    "value.points_issued": (0, 5, 7),
    "service.unanswered": (0, 1, 1), "service.escalations_opened": (0, 1, 1), "service.escalations_resolved": (0, 1, 1),
    "service.first_response_median": (None, 60.0, 120.0), "service.first_response_p90": (None, 60.0, 120.0),
    "service.sla_breaches": (0, 1, 1),
    "outreach.pushes_sent": (0, 1, 1), "outreach.delivery_failures": (0, 1, 1), "outreach.opt_outs": (0, 1, 1),
    "outreach.pushes_suppressed": (0, 1, 1),
    "service.questions_answered": (0, 2, 2), "value.orders": (0, 1, 1),  # by /answer and settled at /resolve
    # handed questions whose ticket is open at the day's end: the tickets resolved at D's first instant
    # (1 question) and D+1's (2) and those opened then (4, 8) → D-1: 1 + 2, D: 2 + 4, D+1: 4 + 8
    "service.questions_with_advisor": (3, 6, 12),
    "service.llm_answers": (None, 1, 1),  # no model call that day: no figure, not 0
}


def first_instant(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(timezone.utc)


async def seed(s, day: date, tz: str) -> None:
    """One row of every source at D's first instant (`a`) and one at D+1's (`b`)."""
    a, b = first_instant(day, tz), first_instant(day + timedelta(days=1), tz)
    long_ago = a - timedelta(days=20)
    customers = CustomerRepo(s)
    x = await customers.upsert("wmEdgeX", now=long_ago)
    y = await customers.upsert("wmEdgeY", now=long_ago)
    ids = iter(range(1, 100))

    def event(ext: str, at: datetime) -> InboundEvent:
        return InboundEvent(dedupe_key=f"edge{next(ids)}", source="xml", kind="friend_added", status="done",
                            payload={"ChangeType": "add_external_contact", "ExternalUserID": ext, "State": ""},
                            received_at=at, due_at=at)

    # growth: adds, losses, group joins and leaves
    s.add_all([event("wmEdgeNew1", a), event("wmEdgeNew2", b)])
    s.add_all([AuditLog(actor="customer", action=act, target=f"wmEdge{act}{i}", detail={}, created_at=at)
               for act in ("friend_lost", "opt_out") for i, at in enumerate((a, b))])
    group = CustomerGroup(chat_id="wrEdge", created_at=long_ago)
    s.add(group)
    await s.flush()
    s.add_all([GroupMembership(group_id=group.id, member_id="m1", joined_at=a),
               GroupMembership(group_id=group.id, member_id="m2", joined_at=b),
               GroupMembership(group_id=group.id, member_id="m3", joined_at=long_ago, left_at=a),
               GroupMembership(group_id=group.id, member_id="m4", joined_at=long_ago, left_at=b)])

    # retention: cohorts added at D-7's and D-6's first instants
    c1 = await customers.upsert("wmEdgeC1", now=long_ago)
    c2 = await customers.upsert("wmEdgeC2", now=long_ago)
    s.add_all([event("wmEdgeC1", first_instant(day - timedelta(days=7), tz)),
               event("wmEdgeC2", first_instant(day - timedelta(days=6), tz))])
    c1.status, c1.lost_at = "lost", b

    # conversations and keywords: customers' words, the persona's answer and fallback, a servicer's
    def message(direction: str, customer_id: int, at: datetime, **kw: object) -> Message:
        return Message(direction=direction, channel="kf", customer_id=customer_id, created_at=at, **kw)

    s.add_all([message("in", x.id, a, text="面霜"), message("in", c1.id, b, text="面霜"),
               message("out", x.id, a, text="答", template_key="reply.faq"),
               message("out", x.id, b, text="我问问同事", template_key="reply.fallback"),
               message("in", x.id, a, staff_userid="li.na", text="您好"),
               message("in", x.id, b, staff_userid="li.na", text="您好")])
    s.add_all([UnansweredQuestion(customer_id=x.id, text="能开发票吗", created_at=at) for at in (a, b)])
    s.add_all([UnansweredQuestion(customer_id=x.id, text="能寄到国外吗", created_at=long_ago, status="answered",
                                  answer="可以", answered_at=at) for at in (a, b)])  # promises kept at midnight
    s.add_all([UnansweredQuestion(customer_id=x.id, text="能便宜点吗", created_at=long_ago, status="handed",
                                  answered_at=at, answered_by="li.na") for at in (a, b)])  # settled at /resolve
    s.add_all([LlmReply(customer_id=x.id, fallback="question", status="done", outcome="answered", deadline=at,
                        created_at=at, done_at=at) for at in (a, b)])

    # orders paid at midnight
    s.add_all([ShopOrder(order_id=f"edge{n}", customer_id=x.id, amount_fen=9900, items=[], channel="天猫",
                         status="paid", paid_at=at, source="api", created_at=at) for n, at in enumerate((a, b))])

    # check-in camps
    def camp(key: str, **kw: object) -> CheckinCampaign:
        return CheckinCampaign(key=key, name=key, start_date=day - timedelta(days=1), end_date=day + timedelta(days=1),
                               daily_window="00:00-23:59", remind_at="20:00", milestones=[], created_at=long_ago, **kw)

    one, three = camp("edge1"), camp("edge3", status="ended", ended_at=b)
    s.add_all([one, three])
    await s.flush()
    s.add_all([CheckinParticipant(campaign_id=one.id, customer_id=x.id, joined_at=long_ago),
               CheckinParticipant(campaign_id=one.id, customer_id=y.id, joined_at=b),
               CheckinParticipant(campaign_id=three.id, customer_id=y.id, joined_at=long_ago),
               Checkin(campaign_id=one.id, customer_id=x.id, day=day, day_index=2, kind="on_time", created_at=a)])

    # topics
    interest = InterestGroup(key="edge", name="edge", created_at=long_ago)
    s.add(interest)
    await s.flush()
    schedule = TopicSchedule(interest_group_id=interest.id, cron="0 20 * * *", created_at=long_ago)
    topic = Topic(interest_group_id=interest.id, text="春季护肤", created_at=long_ago)
    s.add_all([schedule, topic])
    await s.flush()
    s.add_all([TopicPost(schedule_id=schedule.id, interest_group_id=interest.id, topic_id=topic.id, fire_time=at,
                         sender="zhang.wei", chat_ids=[], created_at=at) for at in (a, b)])

    # tags, stages, points, referrals
    tags = TagRepo(s)
    await tags.attach(x.id, await tags.ensure("兴趣", "护肤", now=long_ago), source="test", now=a)
    await tags.attach(x.id, await tags.ensure("兴趣", "彩妆", now=long_ago), source="test", now=b)
    s.add_all([StageEntry(customer_id=x.id, stage="new", source="test", entered_at=a),
               StageEntry(customer_id=x.id, stage="interested", source="test", entered_at=b),
               PointsEntry(customer_id=x.id, delta=5, reason="打卡", source="checkin", created_at=a),
               PointsEntry(customer_id=x.id, delta=7, reason="打卡", source="checkin", created_at=b)])
    referral = ReferralCampaign(key="edge", name="edge", staff_userid="zhang.wei", tiers=[], created_at=long_ago)
    s.add(referral)
    await s.flush()
    inviter = ReferralParticipant(campaign_id=referral.id, customer_id=x.id, state="edge", joined_at=long_ago)
    s.add(inviter)
    await s.flush()
    s.add_all([ReferralInvite(campaign_id=referral.id, participant_id=inviter.id, invitee_customer_id=invitee.id,
                              staff_userid="zhang.wei", added_at=at) for invitee, at in ((y, a), (c2, b))])

    # escalations: opened (answered after 60 s and 120 s), resolved, deadlines missed; questions handed with them
    def ticket(status: str = "resolved", **kw: object) -> Ticket:
        return Ticket(customer_id=x.id, channel="kf", reason="asked_for_human", status=status, **kw)

    def handed(n: int) -> dict[str, object]:
        return {"questions": list(range(1, n + 1))}  # the queued questions that went with the chat

    s.add_all([ticket(created_at=a, first_response_at=a + timedelta(seconds=60), due_at=a + timedelta(minutes=30),
                      context=handed(4)),
               ticket(created_at=b, first_response_at=b + timedelta(seconds=120), due_at=b + timedelta(minutes=30),
                      context=handed(8)),
               ticket(created_at=long_ago, first_response_at=long_ago, resolved_at=a, context=handed(1)),
               ticket(created_at=long_ago, first_response_at=long_ago, resolved_at=b, context=handed(2)),
               ticket(created_at=long_ago, due_at=a, status="queued"),
               ticket(created_at=long_ago, due_at=b, status="queued")])

    # outreach: pushes WeCom accepted, rows that died, pushes the gate held back
    def row(**kw: object) -> OutboxItem:
        return OutboxItem(api="kf/send_msg", payload={}, customer_id=x.id, due_at=long_ago, **kw)

    s.add_all([row(kind="push", status="sent", created_at=long_ago, sent_at=at) for at in (a, b)])
    s.add_all([row(kind="reply", status="dead", created_at=at) for at in (a, b)])
    s.add_all([SuppressedPush(customer_id=x.id, template_key="stage.new", reason="daily_cap", created_at=at)
               for at in (a, b)])


def shown(value: object) -> object:
    return value.total if isinstance(value, Breakdown) else value


@pytest.mark.parametrize(("tz", "day"), ZONES, ids=[f"{tz}-{day}" for tz, day in ZONES])
async def test_an_event_at_local_midnight_counts_on_exactly_the_day_it_starts(sessions, tz: str, day: date) -> None:
    async with sessions.begin() as s:
        await seed(s, day, tz)
    registry = default_registry()
    async with sessions() as s:
        days = [await registry.compute(s, Window.of(day + timedelta(days=i), tz)) for i in (-1, 0, 1)]
    wrong = {}
    for key, expected in EXPECTED.items():
        got = tuple(shown(values[key]) for values in days)
        if got != pytest.approx(expected) if None not in expected else got != expected:
            wrong[key] = f"D-1, D, D+1 = {got}, expected {expected}"
    assert wrong == {}


def test_every_digest_source_has_its_midnight_case() -> None:
    """A provider added without a row above fails here, so no source's day window goes unpinned."""
    registry = default_registry()
    covered = {p.name for p in registry.providers for m in p.metrics if m.key in EXPECTED}
    assert covered == {p.name for p in registry.providers if p.compute is not None}


def test_the_daylight_saving_days_are_23_and_25_hours_long() -> None:
    spring, fall = Window.of(date(2024, 3, 10), "America/New_York"), Window.of(date(2024, 10, 27), "Europe/Berlin")
    assert spring.end - spring.start == timedelta(hours=23) and fall.end - fall.start == timedelta(hours=25)
