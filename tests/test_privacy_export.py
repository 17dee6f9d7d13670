"""Exporting a customer's data: one JSON document with every kind of data Wanzi keeps about them
(and nobody else's), from `wanzi customer export` on the server, audited."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.appkeys import CONFIG
from bot.cli import main
from handlers.privacy.cli import export_to
from storage import db
from storage.models import AuditLog, Customer, Message
from tests import escalation_kit as kit
from tests import privacy_kit as pk


@pytest.fixture
def clock():
    from bot.clock import FakeClock

    return FakeClock(kit.MONDAY_10AM)


async def test_the_export_holds_every_kind_of_data_about_the_customer_and_nobody_elses(db_url, wecom, clock) -> None:
    bot = await pk.start(db_url, wecom, clock)
    try:
        trace = await pk.scenario(bot, wecom, clock)
        out = io.StringIO()
        assert await export_to(bot.app[CONFIG], pk.NAME, out) == 0  # by name, as by external_userid
        text = out.getvalue()
        data = json.loads(text)
        async with bot.sessions() as s:
            (audit,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "customer.exported"))).all()
    finally:
        await bot.stop()
    profile = data["profile"]
    assert (profile["external_userid"], profile["name"], profile["remark"]) == (pk.ERASED, pk.NAME, pk.REMARK)
    assert {"干皮", "保湿补水", "VIP"} <= {t["name"] for t in data["tags"]}
    said = [m["text"] for m in data["messages"] if m["direction"] == "in"]
    assert pk.QUESTION in said and "打卡 今天读了20页" in said
    assert any(m["direction"] == "out" for m in data["messages"])  # what Wanzi told them
    (ticket,) = data["tickets"]
    assert "转人工" in ticket["question"] and pk.QUESTION in json.dumps(ticket["context"], ensure_ascii=False)
    assert {e["reason"] for e in data["points"]["ledger"]} >= {"活动奖励"} and data["points"]["balance"] >= 10
    (redeemed,) = data["redemptions"]  # with where it was sent
    assert (redeemed["ship_name"], redeemed["ship_phone"], redeemed["address_status"]) == (
        pk.NAME, "13900002222", "confirmed") and redeemed["ship_address"].endswith(pk.STREET)
    assert [p["campaign"] for p in data["checkin"]["participations"]] == ["read7"]
    assert [c["content"] for c in data["checkin"]["checkins"]] == ["今天读了20页"]
    assert data["rewards"]
    (referral,) = data["referral"]["participations"]
    assert referral["campaign"] == "spring" and len(referral["invites"]) == 1
    assert any("新品" in o["text"] and o["api"] == "externalcontact/add_msg_template" for o in data["pushes"]["outbox"])
    assert [p["reason"] for p in data["pushes"]["suppressed"]] == ["weekly_cap"]
    assert [q["text"] for q in data["unanswered_questions"]] == [pk.QUESTION]
    assert [(n["staff_userid"], n["text"]) for n in data["notes"]] == [("li.na", pk.NOTE)]
    assert [s["stage"] for s in data["stages"]]
    assert {h["rule"] for h in data["rule_hits"]} >= {"dry_skin", "hydration"}
    assert [g["chat_id"] for g in data["groups"]] == [pk.CHAT]
    assert {"points_adjust", "ticket.opened"} <= {a["action"] for a in data["audit"]}
    for someone_else in (pk.KEPT, pk.KEPT_NAME, pk.INVITEE, pk.KEPT_WORDS):  # nobody else's data
        assert someone_else not in text
    assert (audit.actor, audit.target, audit.detail) == ("cli", f"customer:{trace.customer_id}", {"via": "cli"})


async def test_wanzi_customer_export_and_erase_from_the_command_line(sessions, db_url, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from bot.clock import FakeClock

    now = FakeClock(kit.MONDAY_10AM).now()
    async with sessions.begin() as s:
        for ext, name in ((pk.ERASED, pk.NAME), ("wmTwin00001", "双胞胎"), ("wmTwin00002", "双胞胎")):
            customer = Customer(external_userid=ext, name=name, remark="", channel="", owner_userid="",
                                advisor_userid="", stage="", is_vip=False, opted_out=False, status="active",
                                lost_by="", first_seen_at=now, last_seen_at=now)
            s.add(customer)
            await s.flush()
            s.add(Message(direction="in", channel="kf", customer_id=customer.id, staff_userid="", kind="chat",
                          text=pk.QUESTION if ext == pk.ERASED else "你好", template_key="", external_msgid="",
                          created_at=now))
    config = tmp_path / "wanzi.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n')

    def wanzi(*args: str) -> int:
        return main(["--config", str(config), *args])

    assert await asyncio.to_thread(wanzi, "customer", "export", pk.ERASED) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["profile"]["name"] == pk.NAME and exported["messages"][0]["text"] == pk.QUESTION
    assert await asyncio.to_thread(wanzi, "customer", "export", "双胞胎") == 1  # two customers: name one
    assert "wmTwin00001" in capsys.readouterr().err
    assert await asyncio.to_thread(wanzi, "customer", "erase", "无此人", "--yes") == 1
    assert await asyncio.to_thread(wanzi, "customer", "erase", pk.NAME, "--yes") == 0
    assert "已删除并匿名化" in capsys.readouterr().out
    engine = db.create_engine(db_url)
    try:
        async with db.session_factory(engine)() as s:
            names = (await s.scalars(select(Customer.name))).all()
            texts = (await s.scalars(select(Message.text))).all()
            actions = [(a.actor, a.action) for a in (await s.scalars(select(AuditLog))).all()]
    finally:
        await engine.dispose()
    assert sorted(names) == ["双胞胎", "双胞胎"] and pk.QUESTION not in texts
    assert actions == [("cli", "customer.exported"), ("cli", "customer.erased")]
