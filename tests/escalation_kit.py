"""Helpers for escalation and staff-command tests: a bot with advisors, VIPs and a clock in
working hours (Monday 2026-03-02 10:00 in Shanghai).

The `clock` and `bot` fixtures are shared by assignment: `clock, bot = kit.clock, kit.bot` (or a
`bot` with other settings from `kit.bot_fixture(...)`)."""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.appkeys import SCHEDULER
from bot.clock import FakeClock
from storage.models import AuditLog, Customer, Ticket
from storage.repos import CustomerRepo, StaffRepo, TagRepo
from tests.harness import BotUnderTest, make_config

MONDAY_10AM = 1_772_416_800  # 2026-03-02 10:00 Asia/Shanghai
MONDAY_10PM = MONDAY_10AM + 12 * 3600

STAFF = {"admins": ["zhang.wei"], "operators": ["chen.jing"], "advisors": ["li.na", "wang.fang"],
         "names": ["li.na=李娜", "wang.fang=王芳", "zhang.wei=张伟", "chen.jing=陈静"]}


def config(db_url: str, api_base: str, **escalation: Any):
    # Wanzi's own queue when nobody is free (the shipped default, WeCom's reception pool, has its
    # own tests: test_escalation_pool.py)
    return make_config(db_url, api_base, staff=STAFF,
                       escalation={"leads": ["wang.fang"], "sla_minutes": 30, "sla_minutes_by_level": ["vip=15"],
                                   "reroute_after_minutes": 10, "no_advisor": "queue", **escalation})


async def start(db_url: str, wecom, clock, **escalation: Any) -> BotUnderTest:
    bot = await BotUnderTest.start(config(db_url, wecom.base_url, **escalation), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@pytest.fixture
def clock() -> FakeClock:
    """Monday 10:00 in Shanghai: inside the advisors' working hours."""
    return FakeClock(MONDAY_10AM)


def bot_fixture(starter: Callable[..., Awaitable[BotUnderTest]] = start, **settings: Any) -> Any:
    """A `bot` fixture: `starter(db_url, wecom, clock, **settings)`, stopped after the test; a module
    takes it with `bot = kit.bot_fixture(no_advisor="wecom_pool")`."""
    @pytest.fixture
    async def bot(db_url: str, wecom, clock: FakeClock) -> AsyncIterator[BotUnderTest]:
        started = await starter(db_url, wecom, clock, **settings)
        yield started
        await started.stop()

    return bot


bot = bot_fixture()  # the escalation team and rules above, its callbacks from the emulator


async def customer(bot: BotUnderTest, ext: str, *, name: str = "", remark: str = "", vip: bool = False,
                   tags: tuple[str, ...] = (), advisor: str = "", level: str = "",
                   owner: str = "") -> None:
    async with bot.sessions.begin() as s:
        row = await CustomerRepo(s).upsert(ext, now=bot.clock.now(), owner_userid=owner)
        row.name, row.remark, row.is_vip, row.advisor_userid, row.level = name, remark, vip, advisor, level
        for tag in tags:
            await TagRepo(s).attach(row.id, await TagRepo(s).ensure("客户等级", tag, now=bot.clock.now()),
                                    source="test", now=bot.clock.now())


async def on_duty(bot: BotUnderTest, *userids: str) -> None:
    async with bot.sessions.begin() as s:
        for userid in userids:
            staff = await StaffRepo(s).find(userid)
            assert staff is not None
            staff.on_duty = True


async def tickets(bot: BotUnderTest) -> list[Ticket]:
    async with bot.sessions() as s:
        return list((await s.scalars(select(Ticket).order_by(Ticket.id))).all())


async def find_customer(bot: BotUnderTest, ext: str) -> Customer:
    async with bot.sessions() as s:
        row = await CustomerRepo(s).find(ext)
        assert row is not None
        return row


async def audit(bot: BotUnderTest, prefix: str = "") -> list[tuple[str, str, str]]:
    async with bot.sessions() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action.like(f"{prefix}%"))
                                .order_by(AuditLog.id))).all()
        return [(r.actor, r.action, r.target) for r in rows]


async def watch(bot: BotUnderTest) -> bool:
    """One round of the ticket watch at the current time, through the scheduler (which runs it
    every minute, once per fire time), then deliver what it queued."""
    ran = await bot.app[SCHEDULER].fire("escalation.watch_tickets", bot.clock.now())
    await bot.drain()
    return ran
