"""The inbox reads a batch's customers and members at once and answers "what does this new customer
already have" from the transaction itself: the answers must be the database's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from bot.clock import FakeClock
from bot.outbox import Outbox
from storage.models import Customer, Message
from storage.repos import Repos


@contextmanager
def counted() -> Iterator[list[str]]:
    """The first three words of every SQL statement run meanwhile."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()[:3]))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


async def test_a_new_customers_history_in_its_own_transaction_is_what_the_database_says(sessions) -> None:
    clock = FakeClock(1_700_000_000)
    now = clock.now()

    async def history(repos: Repos, customer_id: int) -> tuple:
        tag = await repos.tags.ensure("兴趣", "面霜", now=now)
        return (await repos.messages.last_variant(customer_id, "reply.faq"),
                await repos.messages.inbound_count(customer_id, at_most=5),
                await repos.rule_hits.count(customer_id, "dry_skin", since=now - timedelta(days=1)),
                [t.name for t in await repos.tags.of_customer(customer_id)],
                await repos.tickets.find_open(customer_id) is None,
                await repos.tags.attach(customer_id, tag, source="test", now=now))

    async with sessions.begin() as session:
        repos = Repos.bind(session)
        customer = await repos.customers.upsert("wmFresh01", now=now)
        assert await history(repos, customer.id) == (None, 0, 0, [], True, True)  # nothing yet
        repos.rule_hits.add(customer.id, "dry_skin", now=now)
        repos.rule_hits.add(customer.id, "dry_skin", now=now)
        repos.messages.add(Message(direction="in", channel="kf", customer_id=customer.id, staff_userid="",
                                   kind="chat", text="干皮用什么", template_key="", external_msgid="m1",
                                   created_at=now))
        Outbox(session, clock).kf_send("wk1", customer, "答", template_key="reply.faq#2")
        inside = await history(repos, customer.id)
    async with sessions.begin() as session:
        outside = await history(Repos.bind(session), customer.id)
    assert inside == (2, 1, 2, ["面霜"], True, False)
    assert outside == inside


async def test_two_members_adding_one_new_customer_in_one_batch_make_one_customer(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmTwice01")
    await wecom.add_friend("li.na", "wmTwice01")
    await wanzi.drain()  # both events run in one shared transaction
    assert len(wecom.calls("externalcontact/send_welcome_msg")) == 2
    async with wanzi.sessions() as s:
        owners = (await s.scalars(select(Customer.owner_userid).where(Customer.external_userid == "wmTwice01"))).all()
        assert owners == ["zhang.wei"]  # the first member's, as when each event looked the customer up
        assert await s.scalar(select(func.count()).select_from(Message).where(Message.kind == "welcome")) == 2


async def test_a_returning_friend_among_new_ones_is_found_not_made_again(wanzi, wecom) -> None:
    """New friends' customers are inserted before any read (a new friend is nearly always new): one
    who was a customer already is read after the insert passed them over, and stays who they were."""
    await wecom.add_friend("zhang.wei", "wmBack01")
    await wanzi.drain()
    for external_userid in ("wmNew02", "wmBack01", "wmNew03"):
        await wecom.add_friend("li.na", external_userid)
    await wanzi.drain()
    assert len(wecom.calls("externalcontact/send_welcome_msg")) == 4
    async with wanzi.sessions() as s:
        owners = dict((await s.execute(select(Customer.external_userid, Customer.owner_userid))).all())
    assert owners == {"wmBack01": "zhang.wei", "wmNew02": "li.na", "wmNew03": "li.na"}


async def test_a_group_of_new_friends_costs_one_statement_for_its_customers(sessions) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from storage.repos import CustomerRepo

    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as session:
        await CustomerRepo(session).upsert("wmKnown01", now=now)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()[:3]))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        async with sessions.begin() as session:
            before = len(statements)
            await CustomerRepo(session).prefetch([("wmFirst01", {}), ("wmFirst02", {})], now=now, insert_first=True)
            assert statements[before:] == ["INSERT INTO customer"]
            before = len(statements)
            returning = await CustomerRepo(session).prefetch([("wmKnown01", {}), ("wmFirst03", {})], now=now,
                                                             insert_first=True)
            assert statements[before:] == ["INSERT INTO customer", "SELECT customer.id, customer.external_userid,"]
            assert [c.external_userid for c in returning] == ["wmKnown01"]
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


async def test_a_group_of_new_customers_is_told_in_its_insert_who_has_orders_parked(sessions) -> None:
    """The inbox's insert of a group's new customers says, per customer, whether orders are parked under their
    external_userid, so `attach_on_arrival` reads them only for those (twenty-fourth slice): the answer must be
    the database's, and a parked order under another id, an attached one, or one under a unionid hash must not
    count."""
    from storage import newcomers
    from storage.models import ShopOrder
    from storage.repos import CustomerRepo

    now = FakeClock(1_700_000_000).now()

    def order(order_id: str, ext: str, *, customer_id: int | None = None, union: str = "") -> ShopOrder:
        return ShopOrder(order_id=order_id, customer_id=customer_id, external_userid=ext, unionid_hash=union,
                         amount_fen=100, items=[], channel="天猫", status="paid", paid_at=now, source="api",
                         created_at=now)

    async with sessions.begin() as session:
        owner = await CustomerRepo(session).upsert("wmOwner01", now=now)
        session.add_all([order("P1", "wmParked01"), order("P2", "wmParked02"), order("P3", "wmParked02"),
                         order("A1", "wmAttached01", customer_id=owner.id), order("U1", "", union="u" * 64)])
    for insert_first in (True, False):
        suffix = "F" if insert_first else "R"
        exts = [f"wmParked01{suffix}", "wmNone01" + suffix, "wmAttached01" + suffix, "wmParked02" + suffix]
        async with sessions.begin() as session:
            # the parked orders' ids take the suffix of this round's customers
            for row in (await session.scalars(select(ShopOrder))).all():
                if row.external_userid:
                    row.external_userid = row.external_userid.rstrip("FR") + suffix
        async with sessions.begin() as session:
            repo = CustomerRepo(session)
            await repo.prefetch([(ext, {}) for ext in exts], now=now, insert_first=insert_first)
            customers = {ext: await repo.upsert(ext, now=now) for ext in exts}
            told = {ext.rstrip("FR"): newcomers.may_have_parked(session, c) for ext, c in customers.items()}
            assert told == {"wmParked01": True, "wmNone01": False, "wmAttached01": False, "wmParked02": True}
            newcomers.parked_attached(session, customers[f"wmParked01{suffix}"].id)
            assert not newcomers.may_have_parked(session, customers[f"wmParked01{suffix}"])
            customers["wmNone01" + suffix].unionid_hash = "u" * 64  # one told by its unionid is read
            assert newcomers.may_have_parked(session, customers["wmNone01" + suffix])
        async with sessions.begin() as session:  # forgotten with the transaction
            assert newcomers.may_have_parked(session, await CustomerRepo(session).upsert("wmNone01" + suffix, now=now))


async def test_a_returning_customers_tags_read_for_a_group_follow_the_transactions_own_changes(sessions) -> None:
    """The inbox reads the tags of a group's returning kf writers at once; within the transaction a
    tag attached, detached or erased in bulk is seen by the next read, as the database would say."""
    from sqlalchemy import delete

    from storage.models import CustomerTag

    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as session:
        repos = Repos.bind(session)
        customer = await repos.customers.upsert("wmTagged01", now=now)
        other = await repos.customers.upsert("wmTagged02", now=now)
        await repos.tags.attach(customer.id, await repos.tags.ensure("肤质", "干皮", now=now), source="t", now=now)
    async with sessions.begin() as session:
        repos = Repos.bind(session)
        await repos.tags.prefetch_of([customer.id, other.id])
        assert [t.name for t in await repos.tags.of_customer(customer.id)] == ["干皮"]
        assert await repos.tags.of_customer(other.id) == []
        oily = await repos.tags.ensure("兴趣", "面霜", now=now)
        await repos.tags.attach(customer.id, oily, source="t", now=now)
        await repos.tags.attach(other.id, oily, source="t", now=now)
        assert {t.name for t in await repos.tags.of_customer(customer.id)} == {"面霜", "干皮"}
        assert [t.name for t in await repos.tags.of_customer(other.id)] == ["面霜"]
        await repos.tags.detach(customer.id, oily)
        assert [t.name for t in await repos.tags.of_customer(customer.id)] == ["干皮"]
        await session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer.id))  # an erasure
        assert await repos.tags.of_customer(customer.id) == []
    async with sessions() as session:
        assert [t.name for t in await Repos.bind(session).tags.of_customer(other.id)] == ["面霜"]


async def test_a_returning_groups_facts_are_read_once_and_follow_the_transactions_own_changes(sessions) -> None:
    """A returning kf customer's rule hits, last template variant, open ticket and inbound count are
    read for the inbox's whole group of customers at the first ask; after that the other customer's
    answers cost no statement, and what the transaction writes (or erases in bulk) is seen, as the
    database would say."""
    from sqlalchemy import delete, event
    from sqlalchemy.engine import Engine

    from storage.models import Ticket

    clock = FakeClock(1_700_000_000)
    now = clock.now()
    day = now - timedelta(days=1)

    def said(customer: Customer, direction: str, key: str = "") -> Message:
        return Message(direction=direction, channel="kf", customer_id=customer.id, staff_userid="", kind="chat",
                       text="x", template_key=key, external_msgid="", created_at=now)

    def ticket(customer: Customer, status: str = "queued") -> Ticket:
        return Ticket(customer_id=customer.id, channel="kf", open_kfid="wk1", reason="asked_for_human",
                      status=status, created_at=now)

    async def facts(repos: Repos, customer: Customer) -> tuple:
        open_ticket = await repos.tickets.find_open(customer.id)
        return (await repos.rule_hits.count(customer.id, "dry_skin", since=day),
                await repos.messages.last_variant(customer.id, "reply.faq"),
                open_ticket.reason if open_ticket else None,
                await repos.messages.inbound_count(customer.id, at_most=5))

    async with sessions.begin() as session:
        repos = Repos.bind(session)
        one = await repos.customers.upsert("wmBack01", now=now)
        two = await repos.customers.upsert("wmBack02", now=now)
        for message in (said(one, "in"), said(one, "out", "reply.faq#1"), said(two, "in"), said(two, "in"),
                        said(two, "out", "reply.faq#2"), said(two, "out", "reply.faq#0")):
            repos.messages.add(message)
        repos.rule_hits.add(one.id, "dry_skin", now=now)
        repos.tickets.add(ticket(two))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        async with sessions.begin() as session:
            repos = Repos.bind(session)
            await repos.customers.prefetch([("wmBack01", {}), ("wmBack02", {})], now=now)
            assert await facts(repos, one) == (1, 1, None, 1)
            before = len(statements)
            assert await facts(repos, two) == (0, 0, "asked_for_human", 2)
            assert len(statements) == before  # read with the first customer's
            repos.rule_hits.add(two.id, "dry_skin", now=now)
            repos.messages.add(said(two, "in"))
            repos.messages.add(said(two, "out", "reply.faq#3"))
            opened = repos.tickets.add(ticket(one))
            assert await facts(repos, two) == (1, 3, "asked_for_human", 3)  # pending rows seen
            assert await facts(repos, one) == (1, 1, "asked_for_human", 1)
            await session.flush()
            repos.rule_hits.add(two.id, "dry_skin", now=now)
            assert await facts(repos, two) == (2, 3, "asked_for_human", 3)  # flushed rows too
            opened.status = "resolved"
            assert (await facts(repos, one))[2] is None
            await session.execute(delete(Message).where(Message.customer_id == two.id))  # an erasure
            assert await facts(repos, two) == (2, None, "asked_for_human", 0)
            inside = (await facts(repos, one), await facts(repos, two))
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    async with sessions.begin() as session:
        repos = Repos.bind(session)
        assert (await facts(repos, one), await facts(repos, two)) == inside


async def test_a_tag_attached_to_a_customer_whose_tags_were_read_needs_no_check_and_no_re_read(sessions) -> None:
    """Attaching a tag to a returning writer whose tags the inbox read for the group: the read says
    whether the link exists, and the read plus the new tag is what the database then says."""
    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as session:
        repos = Repos.bind(session)
        customer = await repos.customers.upsert("wmAttach01", now=now)
        dry = await repos.tags.ensure("肤质", "干皮", now=now)
        cream = await repos.tags.ensure("兴趣", "面霜", now=now)
        await repos.tags.attach(customer.id, dry, source="t", now=now)
    with counted() as statements:
        async with sessions.begin() as session:
            repos = Repos.bind(session)
            await repos.tags.prefetch_of([customer.id])
            before = len(statements)
            assert not await repos.tags.attach(customer.id, dry, source="t", now=now)  # has it: nothing asked
            assert await repos.tags.attach(customer.id, cream, source="t", now=now)
            inside = [t.name for t in await repos.tags.of_customer(customer.id)]
            assert statements[before:] == ["INSERT INTO customer_tag"]  # no check, no re-read
    assert inside == ["面霜", "干皮"]  # by group, then name, as the read orders them
    async with sessions() as session:
        assert [t.name for t in await Repos.bind(session).tags.of_customer(customer.id)] == inside


async def test_the_team_is_read_once_per_transaction_and_follows_its_own_changes(sessions) -> None:
    """Routing, the question queue and notices each list the team: one statement per transaction, and
    a member put on duty, made inactive or added earlier in the transaction is seen as they are now."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from storage.repos import StaffRepo

    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as session:
        await StaffRepo(session).upsert("ops.a", role="operator", now=now)
        await StaffRepo(session).upsert("adv.b", role="advisor", now=now)
    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("SELECT") and "FROM staff" in statement:
            reads.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        async with sessions.begin() as session:
            staff = StaffRepo(session)
            assert [m.userid for m in await staff.list(on_duty=True)] == []
            advisor = await staff.find("adv.b")
            assert advisor is not None
            advisor.on_duty = True
            assert [m.userid for m in await staff.list(on_duty=True)] == ["adv.b"]
            await staff.upsert("adm.c", role="admin", now=now)
            assert [m.userid for m in await staff.list()] == ["adm.c", "adv.b", "ops.a"]
            assert [m.userid for m in await staff.list(roles=("admin", "operator"))] == ["adm.c", "ops.a"]
            (await staff.find("ops.a")).active = False  # type: ignore[union-attr]
            assert [m.userid for m in await staff.list()] == ["adm.c", "adv.b"]
            assert [m.userid for m in await staff.list(include_inactive=True)] == ["adm.c", "adv.b", "ops.a"]
            assert len(reads) == 1
        async with sessions.begin() as session:  # a new transaction reads what the last one committed
            assert [m.userid for m in await StaffRepo(session).list(on_duty=True)] == ["adv.b"]
            assert len(reads) == 2
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


async def test_a_returning_groups_chats_are_read_once_and_follow_the_transactions_own_writes(sessions) -> None:
    """Every reader of a returning kf customer's chat (the follow-up, the queued question's context,
    the opener, the kf window's count) is answered from one read for the inbox's group of customers
    per transaction; the messages the transaction adds are seen at once, without a flush, and an
    erasure in bulk is seen too: each answer is what the database says after commit."""
    from sqlalchemy import delete

    from storage.repos.messages import KfWindowRepo

    clock = FakeClock(1_700_000_000)
    start = clock.now()

    def said(customer: Customer, direction: str, text: str, minutes: int, channel: str = "kf") -> Message:
        return Message(direction=direction, channel=channel, customer_id=customer.id, staff_userid="", kind="chat",
                       text=text, template_key="", external_msgid="", created_at=start + timedelta(minutes=minutes))

    async def chat(repos: Repos, customer: Customer) -> tuple:
        return ([m.text for m in await repos.messages.recent(customer.id, 8, channel="kf")],
                [m.text for m in await repos.messages.recent(customer.id, 3)],
                await KfWindowRepo(repos.messages.session).sent_since(customer.id, start + timedelta(minutes=30)))

    async with sessions.begin() as session:
        repos = Repos.bind(session)
        one = await repos.customers.upsert("wmChat01", now=start)
        two = await repos.customers.upsert("wmChat02", now=start)
        for minute in range(12):  # more than one read's worth: the oldest are left out
            repos.messages.add(said(one, "in" if minute % 2 else "out", f"一{minute}", minute))
        repos.messages.add(said(two, "in", "二问", 31))
        repos.messages.add(said(two, "out", "二答", 32))
        repos.messages.add(said(two, "in", "二群", 33, channel="contact"))
    with counted() as statements:
        async with sessions.begin() as session:
            repos = Repos.bind(session)
            await repos.customers.prefetch([("wmChat01", {}), ("wmChat02", {})], now=start)
            before = len(statements)
            assert await chat(repos, one) == ([f"一{m}" for m in range(4, 12)], ["一9", "一10", "一11"], 0)
            assert await chat(repos, two) == (["二问", "二答"], ["二问", "二答", "二群"], 1)
            assert statements[before:] == ["SELECT message.id, message.direction,"]  # both chats, one statement
            repos.messages.add(said(two, "out", "二再答", 34))
            repos.messages.add(said(one, "in", "一又问", 35))
            assert await chat(repos, two) == (["二问", "二答", "二再答"], ["二答", "二群", "二再答"], 2)
            assert (await chat(repos, one))[0][-2:] == ["一11", "一又问"]
            assert len(statements) == before + 1  # pending rows seen without a flush or a read
            await session.flush()
            repos.messages.add(said(two, "out", "二三答", 36))
            assert await chat(repos, two) == (["二问", "二答", "二再答", "二三答"], ["二群", "二再答", "二三答"], 3)
            further = await repos.messages.recent(one.id, 12)  # further back than the read: read again
            assert [m.text for m in further][:2] == ["一1", "一2"]
            await session.execute(delete(Message).where(Message.customer_id == two.id, Message.text == "二答"))
            inside = (await chat(repos, one), await chat(repos, two))
            assert inside[1] == (["二问", "二再答", "二三答"], ["二群", "二再答", "二三答"], 2)
        assert sum(1 for s in statements[before:] if s.startswith("SELECT message.id")) == 3
    async with sessions.begin() as session:
        assert (await chat(Repos.bind(session), one), await chat(Repos.bind(session), two)) == inside
