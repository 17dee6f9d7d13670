"""Who sees what in the chat sidebar: a member sees a customer they follow, an operator sees every
customer, anyone else gets the same "not found" as for an unknown id, and every refusal is audited.
Actions (tags, notes, tickets) are refused the same way."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditLog, CustomerNote, CustomerTag
from tests.harness import BotUnderTest
from tests.sidebar_kit import Sidebar, named, start

EXT = "wmSideAccess001"


async def customer_of_wang_fang(db_url, wecom, clock) -> BotUnderTest:
    """菲菲 added wang.fang: wang.fang follows her, li.na does not."""
    bot = await start(db_url, wecom, clock)
    await wecom.add_friend("wang.fang", EXT, name="菲菲")
    await bot.drain()
    await named(bot, EXT, "菲菲")
    return bot


async def denials(bot: BotUnderTest) -> list[tuple[str, str, dict[str, object]]]:
    async with bot.sessions() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == "sidebar_denied")
                                .order_by(AuditLog.id))).all()
        return [(r.actor, r.target, r.detail) for r in rows]


async def test_a_member_who_does_not_follow_the_customer_gets_nothing(db_url, wecom, clock) -> None:
    bot = await customer_of_wang_fang(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 404 and "看不到这位客户" in page and "菲菲" not in page
        unknown_status, unknown_page = await sidebar.get("/customer", ext="wmNobodyAtAll01")
        assert (unknown_status, unknown_page) == (status, page)  # an unknown id looks the same
        assert (await sidebar.post("/customer/tag", ext=EXT, tag="+偷偷打的"))[0] == 404
        assert (await sidebar.post("/customer/note", ext=EXT, text="看看"))[0] == 404
        status, page = await sidebar.get("/replies", ext=EXT, q="")
        assert status == 404 and "菲菲" not in page
        assert await bot.count(CustomerTag) == 0 and await bot.count(CustomerNote) == 0
        assert (await denials(bot))[:2] == [("console:li.na", EXT, {"why": "not_following"}),
                                            ("console:li.na", "wmNobodyAtAll01", {"why": "unknown"})]
    finally:
        await sidebar.close()
        await bot.stop()


async def test_the_member_who_added_the_customer_sees_them(db_url, wecom, clock) -> None:
    bot = await customer_of_wang_fang(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "wang.fang", external_userid=EXT)
    try:
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 200 and "菲菲" in page and EXT in page
        assert await denials(bot) == []
    finally:
        await sidebar.close()
        await bot.stop()


async def test_an_operator_sees_every_customer(db_url, wecom, clock) -> None:
    bot = await customer_of_wang_fang(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "chen.jing", external_userid=EXT)
    try:
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 200 and "菲菲" in page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_a_second_member_the_customer_added_follows_them_too(db_url, wecom, clock) -> None:
    """The customer added wang.fang first (our owner_userid) and li.na later: WeCom's follow_user
    lists both, so li.na sees her as well."""
    bot = await customer_of_wang_fang(db_url, wecom, clock)
    await wecom.add_friend("li.na", EXT)
    await bot.drain()
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 200 and "菲菲" in page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_a_customer_group_is_shown_to_its_owner_and_to_operators_only(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    await wecom.create_group("wrSideGroup0001", "wang.fang", "柚见护肤交流群")
    await wecom.customers_join_group("wrSideGroup0001", [EXT])
    await bot.drain()
    clock.advance(60)  # group details are read a moment after the change (customer-contact.md §2)
    await bot.drain()
    owner = await Sidebar.open(bot, wecom, "wang.fang", chat_id="wrSideGroup0001")
    stranger = await Sidebar.open(bot, wecom, "li.na", chat_id="wrSideGroup0001")
    operator = await Sidebar.open(bot, wecom, "chen.jing", chat_id="wrSideGroup0001")
    try:
        status, page = await owner.get("/group", chat_id="wrSideGroup0001")
        assert status == 200 and "柚见护肤交流群" in page
        assert (await operator.get("/group", chat_id="wrSideGroup0001"))[0] == 200
        status, page = await stranger.get("/group", chat_id="wrSideGroup0001")
        assert status == 404 and "柚见护肤交流群" not in page
        assert (await denials(bot)) == [("console:li.na", "wrSideGroup0001", {"why": "not_member"})]
    finally:
        for s in (owner, stranger, operator):
            await s.close()
        await bot.stop()


async def test_the_console_session_does_not_open_the_sidebar(db_url, wecom, clock) -> None:
    """The sidebar has its own session: the member the client signs in, not whoever signed into the
    console in the same browser."""
    from tests.console_kit import ConsoleClient

    bot = await customer_of_wang_fang(db_url, wecom, clock)
    console = await ConsoleClient.login(bot.url, user="chen.jing")  # an operator, in the console
    try:
        status, _ = await console.get("/console/sidebar/customer", ext=EXT)
        assert status == 401
        status, _ = await console.get("/console/sidebar")
        assert status == 302  # to the sign-in inside the WeCom client
    finally:
        await console.close()
        await bot.stop()
