"""A month of a small brand, played through the emulator with the FakeClock placing each event
on its local day (Asia/Shanghai), with the digest's numbers worked out by hand in EXPECTED.

Day D is 2024-03-20. Events sit on D-30, D-7, D-1, D and D+1, some seconds from midnight,
so a digest that used UTC days, or closed intervals, would count them on the wrong day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.appkeys import INBOX
from bot.outbox import Outbox, PushAdmission
from storage.repos import CustomerRepo, TagRepo

TZ = ZoneInfo("Asia/Shanghai")
D = date(2024, 3, 20)
STAFF = "zhang.wei"
KF = "wkWanziDemoKf01"
GROUP = "wrDigestGroup0001"


def local(day_offset: int, hhmm: str, second: int = 0) -> float:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime.combine(D + timedelta(days=day_offset), time(hour, minute, second), TZ).timestamp()


async def play(wanzi, wecom, clock) -> None:
    """Build the month; every step goes through WeCom callbacks except where a feature of a later
    issue would act (tags by rule, a push), which use the same repository/outbox calls."""

    async def at(day: int, hhmm: str, second: int = 0) -> None:
        clock.set(local(day, hhmm, second))

    # D-30: one friend from an old campaign, still a friend on D (30-day retention 1/1).
    await at(-30, "12:00")
    await wecom.add_friend(STAFF, "wmZoe", state="old_flyer", name="周一")
    await wanzi.drain()

    # D-7: the 7-day cohort of three.
    await at(-7, "10:00")
    await wecom.add_friend(STAFF, "wmAnn", state="expo", name="安安")
    await wecom.add_friend(STAFF, "wmBea", state="expo", name="贝贝")
    await wecom.add_friend(STAFF, "wmCat", name="小猫")
    await wanzi.drain()

    # D-1: two friends (one half a minute before midnight), a customer who talks twice.
    await at(-1, "10:00")
    await wecom.add_friend(STAFF, "wmDan", state="spring", name="丹丹")
    await wanzi.drain()
    await at(-1, "10:05")
    await wecom.customer_says("wmDan", "在吗")
    await wanzi.drain()
    await at(-1, "15:00")
    await tag(wanzi, "wmDan", "兴趣", "护肤")
    await at(-1, "23:59", 30)
    await wecom.add_friend(STAFF, "wmEve", state="spring", name="伊伊")
    await wanzi.drain()
    await at(-1, "23:59", 50)
    await wecom.customer_says("wmDan", "晚安")
    await wanzi.drain()

    # D: three friends (the first 30 s after midnight; the last one's welcome comes too late).
    await at(0, "00:00", 30)
    await wecom.add_friend(STAFF, "wmFay", state="expo", name="菲菲")
    await wanzi.drain()
    await at(0, "09:00")
    await wecom.add_friend(STAFF, "wmGus", state="live", name="古斯")
    await wanzi.drain()
    await at(0, "09:30")
    await wecom.add_friend(STAFF, "wmHal", state="expo", name="海海")
    await wanzi.app[INBOX].process_due()  # the welcome is queued ...
    clock.advance(25)  # ... and the 20-second welcome_code runs out before it is sent
    await wanzi.drain()

    # D: four customer messages from three customers: small talk, a question the knowledge base
    # answers, one it cannot answer; one customer opts out.
    await at(0, "10:00")
    await wecom.customer_says("wmBea", "今天天气真好")
    await wanzi.drain()
    await at(0, "10:10")
    await wecom.customer_says("wmFay", "请问多久发货")
    await wanzi.drain()
    await at(0, "10:20")
    await wecom.customer_says("wmFay", "可以开发票吗？")
    await wanzi.drain()
    await at(0, "10:30")  # the chat ended; a human servicer writes to her
    wecom.kf_session("wmFay").state = 4
    await wecom.servicer_says("wmFay", "您好，我是人工客服李娜", userid="li.na")
    await wanzi.drain()
    await at(0, "11:00")
    await wecom.customer_says("wmKim", "退订")
    await wanzi.drain()

    # D: one customer leaves, one is handed to a colleague (not a loss).
    await at(0, "12:00")
    await wecom.customer_deletes_staff(STAFF, "wmAnn")
    await wecom.staff_deletes_customer(STAFF, "wmCat", by_transfer=True)
    await wanzi.drain()

    # D: one push, three tags, a group with two joins and one leave.
    await at(0, "14:00")
    await push(wanzi, clock, "wmBea", "春季新品到啦")  # Fay is with a human: no bot messages
    await wanzi.drain()
    await at(0, "15:00")
    await tag(wanzi, "wmFay", "兴趣", "护肤")
    await tag(wanzi, "wmGus", "兴趣", "护肤")
    await tag(wanzi, "wmFay", "兴趣", "彩妆")
    await wecom.create_group(GROUP, STAFF, "柚见护肤交流群")
    await wecom.customers_join_group(GROUP, ["wmFay", "wmGus"])
    await wanzi.drain()
    await at(0, "16:00")
    await wecom.customer_leaves_group(GROUP, "wmGus")
    await wanzi.drain()

    # D+1, ten seconds after midnight: belongs to the next day.
    await at(1, "00:00", 10)
    await wecom.customer_says("wmDan", "早")
    await wecom.add_friend(STAFF, "wmIvy", state="expo")
    await wanzi.drain()
    await at(1, "08:00")


async def tag(wanzi, ext: str, group: str, name: str) -> None:
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find(ext)
        assert customer is not None
        repo = TagRepo(s)
        await repo.attach(customer.id, await repo.ensure(group, name, now=wanzi.clock.now()), source="rule:test",
                          now=wanzi.clock.now())


async def push(wanzi, clock, ext: str, text: str) -> None:
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find(ext)
        assert customer is not None
        admitted = PushAdmission(customer.id, "kf", clock.now())  # a push the gate let through
        Outbox(s, clock).push_kf(admitted, KF, customer, text)


# What the digest of D must say, worked out from the story above.
EXPECTED = {
    "growth.new_friends": 3,  # Fay (00:00:30), Gus, Hal; not Eve (23:59:30 the day before), not Ivy (D+1)
    "growth.lost_friends": 1,  # Ann left; Cat was transferred
    "growth.net_growth": 2,
    "growth.group_joins": 2,
    "growth.group_leaves": 1,
    "activity.active_customers": 3,  # Bea, Fay, Kim
    "activity.messages_in": 4,  # Dan's 23:59:50 and 00:00:10 messages are on other days
    "activity.messages_out": 8,  # 3 welcomes queued (Hal's expired) + 4 replies + 1 push
    "service.answer_rate": 0.5,  # two questions (发货, 发票), one answered; small talk and 退订 are no questions
    "service.human_replies": 1,
    "retention.kept_7d": 2 / 3,  # Ann, Bea, Cat added on D-7; Ann left
    "retention.active_7d": 1 / 3,  # only Bea wrote since D-6
    "retention.kept_30d": 1.0,  # Zoe
    "outreach.pushes_sent": 1,
    "outreach.welcomes_sent": 2,
    "outreach.delivery_failures": 1,  # Hal's welcome expired
    "outreach.opt_outs": 1,
    "conversion.tags_applied": 3,
    "service.unanswered": 1,  # 可以开发票吗; 天气 is small talk
    "service.escalations_opened": 1,  # Li Na took Fay's ended chat
}
EXPECTED_BREAKDOWNS = {
    "growth.new_by_channel": (("expo", 2), ("live", 1)),
    "conversion.top_tags": (("兴趣/护肤", 2), ("兴趣/彩妆", 1)),
}
EXPECTED_PREVIOUS = {"growth.new_friends": 2, "activity.messages_in": 2, "service.answer_rate": None,  # no questions
                     "activity.active_customers": 1, "conversion.tags_applied": 1}
EXPECTED_AVERAGE7 = {"growth.new_friends": 5 / 7, "activity.messages_in": 2 / 7,
                     "growth.lost_friends": 0.0}


def assert_digest_matches(digest, expected, breakdowns, previous, average7=None) -> None:
    """Compare a built digest with hand-counted values: numbers, breakdowns, previous day, 7-day average."""
    import pytest

    from bot.digest_metrics import Breakdown

    assert digest.complete
    for key, value in expected.items():
        assert digest.value(key) == pytest.approx(value), key
    for key, items in breakdowns.items():
        assert digest.value(key) == Breakdown(items), key
    for key, value in previous.items():
        assert digest.line(key).previous == (pytest.approx(value) if value is not None else None), key
    for key, value in (average7 or {}).items():
        assert digest.line(key).average7 == pytest.approx(value), key
