"""Erasing a customer: afterwards no table holds their id, name, remark or words, the customer next to
them keeps everything, past digests keep their numbers, and a replay of their callbacks does nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.digest_metrics import Window
from handlers.customers.digest import growth
from handlers.privacy.erase import PLAN
from handlers.privacy.service import erase
from storage.models import AuditLog, Base, Customer, GroupMembership, InboundEvent, KfCursor, Message, OutboxItem
from storage.repos import CustomerRepo
from tests import escalation_kit as kit
from tests import privacy_kit as pk

MONDAY = date(2026, 3, 2)


clock, bot = kit.clock, kit.bot_fixture(pk.start)  # fixtures: Monday 10:00, the privacy scenario's bot


def test_every_table_has_a_place_in_the_erasure_plan() -> None:
    """A new table with customer data must say how an erasure treats it."""
    assert set(PLAN) == {t.name for t in Base.metadata.sorted_tables}


async def counts(bot, upto: dict[str, int] | None = None) -> dict[str, tuple[int, int]]:
    """(rows, highest id) of the tables digests count, among the rows up to the ids in `upto`."""
    out = {}
    async with bot.sessions() as s:
        for model in (InboundEvent, Message, OutboxItem):
            where = [model.id <= upto[model.__tablename__]] if upto else []
            n, top = (await s.execute(select(func.count(), func.max(model.id)).where(*where))).one()
            out[model.__tablename__] = (int(n), int(top or 0))
    return out


async def new_friends_on_monday(bot) -> int:
    async with bot.sessions() as s:
        count = (await growth(s, Window.of(MONDAY, "Asia/Shanghai")))["growth.new_friends"]
        assert isinstance(count, int)
        return count


async def test_an_erased_customer_leaves_no_trace_in_any_table(bot, wecom, clock) -> None:
    trace = await pk.scenario(bot, wecom, clock)
    gone = (pk.ERASED, pk.NAME, pk.REMARK, pk.SECRET, pk.STREET, "13900002222")
    before = await pk.traces(bot, *gone)
    assert {table for table, _, _ in before} >= {  # the scenario really left them everywhere
        "customer", "message", "inbound_event", "outbox_item", "ticket", "unanswered_question", "audit_log",
        "group_membership", "customer_note", "redemption"}
    rows, friends = await counts(bot), await new_friends_on_monday(bot)

    proposal = await pk.staff_says(bot, wecom, "zhang.wei", f"/erase {pk.NAME}")
    assert pk.NAME in proposal and "/erase confirm" in proposal and "不可恢复" in proposal
    assert await pk.customer_row(bot, pk.ERASED) is not None  # nothing happens before the confirmation
    done = await pk.staff_says(bot, wecom, "zhang.wei", "/erase confirm")
    assert f"#{trace.customer_id}" in done and pk.NAME not in done

    assert await pk.traces(bot, *gone) == []
    assert await counts(bot, {table: top for table, (_, top) in rows.items()}) == rows  # anonymised, not deleted
    assert await new_friends_on_monday(bot) == friends
    async with bot.sessions() as s:
        (erased,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "customer.erased"))).all()
        kept = await CustomerRepo(s).find(pk.KEPT)
        kept_words = await s.scalar(select(Message).where(Message.text == pk.KEPT_WORDS))
        members = (await s.scalars(select(GroupMembership.member_id))).all()
        group_events = [e.payload for e in (await s.scalars(select(InboundEvent).where(
            InboundEvent.kind == "group_updated"))).all()]
        mass = (await s.scalars(select(OutboxItem).where(OutboxItem.api == "externalcontact/add_msg_template"))).all()
    assert (erased.actor, erased.target) == ("zhang.wei", f"customer:{trace.customer_id}")
    assert kept is not None and kept.name == pk.KEPT_NAME  # the customer next to them keeps everything
    assert kept_words is not None and kept_words.customer_id == trace.kept_id
    assert pk.KEPT in members
    assert [p["MemChangeList"] for p in group_events] == [[pk.KEPT]]  # dropped from the shared callback
    (broadcast,) = [m for m in mass if m.payload.get("chat_type") == "single"]
    assert broadcast.payload["external_userid"] == [pk.KEPT]  # and from the shared mass message


async def test_a_replayed_callback_after_erasure_has_no_effect(bot, wecom, clock) -> None:
    added = await wecom.add_friend("li.na", pk.ERASED, name=pk.NAME)
    await pk.customer_says(bot, wecom, pk.ERASED, pk.QUESTION)
    welcomes = len(wecom.calls("externalcontact/send_welcome_msg"))
    async with bot.sessions.begin() as s:
        customer = await CustomerRepo(s).find(pk.ERASED)
        assert customer is not None
        assert customer is not None
        await erase(s, [customer], actor="test", via="test", now=bot.clock.now())
        stored = (await s.scalars(select(InboundEvent.dedupe_key))).all()
    assert all(pk.ERASED not in key for key in stored)  # only hashes
    events = await bot.count(InboundEvent)

    replay = await wecom.deliver(added.plain)  # WeCom resends the add_external_contact callback ...
    assert replay.acked
    async with bot.sessions.begin() as s:  # ... and a lost cursor makes the next pull read the kf log again
        for cursor in (await s.scalars(select(KfCursor))).all():
            cursor.cursor = ""
    await pk.customer_says(bot, wecom, pk.KEPT, "你好")
    await bot.drain()

    assert await pk.customer_row(bot, pk.ERASED) is None
    assert await bot.count(InboundEvent) == events + 2  # only the kept customer's notice and message
    assert len(wecom.calls("externalcontact/send_welcome_msg")) == welcomes
    assert await pk.traces(bot, pk.ERASED, pk.SECRET) == []


async def test_pending_events_of_an_erased_customer_are_never_processed(bot, wecom, clock) -> None:
    await wecom.add_friend("li.na", pk.ERASED, name=pk.NAME)
    await bot.drain()
    await wecom.customer_deletes_staff("li.na", pk.ERASED)  # stored, not yet processed
    async with bot.sessions.begin() as s:
        customer = await CustomerRepo(s).find(pk.ERASED)
        assert customer is not None
        assert customer is not None
        await erase(s, [customer], actor="test", via="test", now=bot.clock.now())
    await bot.drain()
    assert await pk.customer_row(bot, pk.ERASED) is None  # the pending callback did not bring them back
    assert await bot.count(InboundEvent, InboundEvent.status == "pending") == 0
    assert await bot.count(Customer) == 0


async def test_a_remark_other_customers_share_is_not_taken_for_the_erased_customer(sessions) -> None:
    from bot.clock import FakeClock

    now = FakeClock(kit.MONDAY_10AM).now()
    async with sessions.begin() as s:
        for ext, name in ((pk.ERASED, pk.NAME), (pk.KEPT, pk.KEPT_NAME)):
            s.add(Customer(external_userid=ext, name=name, remark="老客户", channel="", owner_userid="",
                           advisor_userid="", stage="", is_vip=False, opted_out=False, status="active", lost_by="",
                           first_seen_at=now, last_seen_at=now))
        for text in (f"老客户 {pk.KEPT_NAME} 下单了", f"{pk.NAME} 的工单已结"):  # notices to staff
            s.add(Message(direction="out", channel="app", customer_id=None, staff_userid="li.na", kind="notice",
                          text=text, template_key="", external_msgid="", created_at=now))
    async with sessions.begin() as s:
        customer = await CustomerRepo(s).find(pk.ERASED)
        assert customer is not None
        await erase(s, [customer], actor="test", via="test", now=now)
    async with sessions() as s:
        texts = sorted((await s.scalars(select(Message.text))).all())
    assert texts == sorted([f"老客户 {pk.KEPT_NAME} 下单了", "（此消息涉及的客户已按要求删除，内容已清除）"])


async def test_a_customer_with_hundreds_of_questions_is_erased_too(sessions) -> None:
    """Each question is looked for in staff texts: the search is split so no query grows too deep."""
    from bot.clock import FakeClock
    from storage.models import UnansweredQuestion

    now = FakeClock(kit.MONDAY_10AM).now()
    async with sessions.begin() as s:
        customer = Customer(external_userid=pk.ERASED, name=pk.NAME, remark="", channel="", owner_userid="",
                            advisor_userid="", stage="", is_vip=False, opted_out=False, status="active", lost_by="",
                            first_seen_at=now, last_seen_at=now)
        s.add(customer)
        await s.flush()
        for n in range(400):
            s.add(UnansweredQuestion(customer_id=customer.id, text=f"第{n}个问题：门店几点开门？", best_faq="",
                                     confidence=0.0, status="open", created_at=now))
        s.add(Message(direction="out", channel="webhook", customer_id=None, staff_userid="", kind="notice",
                      text="热门问题：第399个问题：门店几点开门 1", template_key="", external_msgid="", created_at=now))
    async with sessions.begin() as s:
        erased = await CustomerRepo(s).find(pk.ERASED)
        assert erased is not None
        await erase(s, [erased], actor="test", via="test", now=now)
    async with sessions() as s:
        assert (await s.scalars(select(Message.text))).all() == ["热门问题：[已删除] 1"]
