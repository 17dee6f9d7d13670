"""Helpers for the data-rights tests: one customer who left a trace in every feature (messages, a
ticket, tags and stages, points, a check-in, a referral with an invite, a customer group, a shared
broadcast, staff commands and console views naming them, the digest quoting their question) next
to a customer who must keep all of theirs, and a scan of every table for what must be gone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.checkin.campaigns import create_campaign
from storage.models import AuditLog, Base, Customer, SuppressedPush
from storage.repos import CustomerRepo
from storage.repos.notes import CustomerNoteRepo
from tests import escalation_kit as kit
from tests.community_kit import service
from tests.harness import BotUnderTest, make_config

ERASED, NAME, REMARK = "wmErase0001", "甄小蔓", "蔓蔓老客户"
KEPT, KEPT_NAME = "wmKeep00001", "留存客户"
INVITEE = "wmInvited01"
SECRET = "ZX31415926"  # inside the erased customer's question, which the digest quotes
QUESTION = f"我的订单号是{SECRET}，梧桐路七号能送吗？"
KEPT_WORDS = "留存客户自己的话，请保留"
NOTE = f"{NAME}喜欢无香型，下次推荐敏感肌系列"  # a staff note from the chat sidebar
CHAT = "wrPrivacyGroup01"
STREET = "梧桐苑8幢301"  # the address they gave for a reward, which /redeem list and the shipper's notice quote
ADDRESS = f"{NAME} 13900002222 浙江省杭州市西湖区{STREET}"
SPRING = {"key": "spring", "name": "春日邀请有礼", "staff": "zhang.wei",
          "tiers": [{"invites": 1, "gift": "面霜小样", "points": 5}]}


def config(db_url: str, api_base: str, **sections: Any):
    return make_config(db_url, api_base, staff=kit.STAFF, escalation={"leads": ["wang.fang"]},
                       checkin={"window": "06:00-23:00", "points_per_checkin": 1},
                       points={"levels": [{"name": "柚芽", "min": 0}, {"name": "柚苗", "min": 50}],
                               "rewards": [{"key": "kit", "name": "柚子小样礼包", "cost": 5, "stock": 5}]},
                       referral={"campaigns": [SPRING]}, digest={"managers": ["zhang.wei"]}, **sections)


async def start(db_url: str, wecom: Any, clock: Any, **sections: Any) -> BotUnderTest:
    clock.set(kit.MONDAY_10AM)
    bot = await BotUnderTest.start(config(db_url, wecom.base_url, **sections), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


async def start_seeded(db_url: str, wecom: Any, clock: Any) -> BotUnderTest:
    """The bot, and the customer to be erased: a friend of li.na's who asked QUESTION, with a remark."""
    bot = await start(db_url, wecom, clock)
    await wecom.add_friend("li.na", ERASED, name=NAME)
    await customer_says(bot, wecom, ERASED, QUESTION)
    await kit.customer(bot, ERASED, name=NAME, remark=REMARK)
    return bot


bot = kit.bot_fixture(start_seeded)  # a fixture, taken with `clock, bot = kit.clock, pk.bot`


async def audit(bot: BotUnderTest, action: str) -> list[tuple[str, str]]:
    """(actor, target) of the audit rows of `action`, oldest first."""
    async with bot.sessions() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))).all()
    return [(r.actor, r.target) for r in rows]


async def staff_says(bot: BotUnderTest, wecom: Any, userid: str, text: str) -> str:
    before = len(wecom.staff_inbox(userid))
    await wecom.staff_sends(userid, text)
    await bot.drain()
    return "\n".join(wecom.staff_inbox(userid)[before:])


async def customer_says(bot: BotUnderTest, wecom: Any, ext: str, text: str) -> None:
    await wecom.customer_says(ext, text)
    await bot.drain()


@dataclass
class Trace:
    """What the scenario produced that the tests look for."""

    customer_id: int
    friend_added: Any  # the emulator's Delivery of the erased customer's add_external_contact
    kept_id: int


async def scenario(bot: BotUnderTest, wecom: Any, clock: Any) -> Trace:
    """Monday 10:00: the erased customer touches every feature; the kept one shares some of it."""
    added = await wecom.add_friend("li.na", ERASED, name=NAME)
    await wecom.add_friend("li.na", KEPT, name=KEPT_NAME)
    await bot.drain()
    await kit.customer(bot, ERASED, name=NAME, remark=REMARK)
    await kit.customer(bot, KEPT, name=KEPT_NAME)
    await kit.on_duty(bot, "li.na")
    async with service(bot) as ctx:
        await create_campaign(ctx, key="read7", name="7天阅读打卡", start=date(2026, 3, 2), days=7,
                              milestones=[{"day": 1, "points": 2}], actor="zhang.wei")
    await customer_says(bot, wecom, ERASED, "你好，我是干皮，想要保湿补水")  # rule hits, tags, a stage
    await customer_says(bot, wecom, ERASED, QUESTION)  # unanswered: recorded for the digest
    await customer_says(bot, wecom, ERASED, "打卡 今天读了20页")  # a check-in with a milestone
    await customer_says(bot, wecom, ERASED, "邀请有礼")  # a referral participation and its QR code
    config_id = str(wecom.calls("externalcontact/add_contact_way")[-1].response.get("config_id", ""))
    clock.advance(60)
    await wecom.customer_scans(config_id, INVITEE)  # a new friend they invited
    await bot.drain()
    await customer_says(bot, wecom, ERASED, "我要投诉，转人工")  # a ticket whose context quotes the question
    await customer_says(bot, wecom, KEPT, KEPT_WORDS)
    await wecom.create_group(CHAT, "li.na", "护肤交流群")
    await wecom.customers_join_group(CHAT, [ERASED, KEPT])
    await bot.drain()
    await staff_says(bot, wecom, "chen.jing", f"/points {NAME} +10 活动奖励")
    for said in ("兑换 柚子小样礼包", "确认兑换", ADDRESS, "对"):  # a reward shipped to their address
        clock.advance(60)
        await customer_says(bot, wecom, ERASED, said)
    await staff_says(bot, wecom, "li.na", "/redeem list")
    await staff_says(bot, wecom, "li.na", f"/whois {NAME}")
    await staff_says(bot, wecom, "li.na", f"/resolve {await _ticket_id(bot)} 已处理")
    async with bot.sessions.begin() as s:  # a push the gate dropped (the gate's own paths are tested elsewhere)
        cid = (await CustomerRepo(s).find(ERASED)).id  # type: ignore[union-attr]
        s.add(SuppressedPush(customer_id=cid, template_key="stage.interested", reason="weekly_cap",
                             created_at=bot.clock.now()))
        CustomerNoteRepo(s).add(cid, "li.na", NOTE, now=bot.clock.now())  # written in the chat sidebar
    clock.advance(49 * 3600)  # Wednesday 11:00: the kf window closed, both are reached as li.na's friends
    await kit.customer(bot, ERASED, name=NAME, remark=REMARK, tags=("VIP",))
    await kit.customer(bot, KEPT, name=KEPT_NAME, tags=("VIP",))
    await staff_says(bot, wecom, "zhang.wei", "/broadcast VIP new_arrivals")
    await staff_says(bot, wecom, "zhang.wei", "/confirm")
    tuesday_9am = datetime.fromtimestamp(kit.MONDAY_10AM + 23 * 3600, tz=timezone.utc)
    await bot.app[SCHEDULER].fire("digest.daily", tuesday_9am)  # Monday's digest quotes the question
    await bot.drain()
    async with bot.sessions() as s:
        erased = await CustomerRepo(s).find(ERASED)
        kept = await CustomerRepo(s).find(KEPT)
    assert erased is not None and kept is not None
    return Trace(erased.id, added, kept.id)


async def _ticket_id(bot: BotUnderTest) -> int:
    (ticket,) = await kit.tickets(bot)
    return ticket.id


async def traces(bot: BotUnderTest, *words: str) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every value in the database that contains one of `words`:
    every table of the models, every row, every column, JSON included."""
    found = []
    async with bot.sessions() as s:
        for table in Base.metadata.sorted_tables:
            for row in (await s.execute(select(table))).mappings().all():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                    if any(w in text for w in words):
                        found.append((table.name, column, value))
    return found


async def customer_row(bot: BotUnderTest, ext: str) -> Customer | None:
    async with bot.sessions() as s:
        row: Customer | None = await s.scalar(select(Customer).where(Customer.external_userid == ext))
        return row
