"""The chat sidebar beside a customer: the facts an advisor needs at a glance, and the actions —
tags, notes, the ticket — through the same functions as the staff commands and the console."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditLog, CustomerNote
from storage.repos import CustomerRepo, TagRepo
from tests import escalation_kit as kit
from tests.community_kit import at
from tests.harness import BotUnderTest
from tests.sidebar_kit import Sidebar, named, start

EXT = "wmSideFacts0001"
MONDAY_10AM = at(3, 2, 10)  # 2026-03-02, working hours
COMMUNITY = {
    "checkin": {"window": "00:00-24:00", "points_per_checkin": 5,
                "campaigns": [{"key": "sleep7", "name": "7天早睡打卡", "start": "2026-03-02", "days": 7}]},
    "points": {"levels": [{"name": "柚芽", "min": 0, "rights": "生日祝福"},
                          {"name": "柚苗", "min": 10, "rights": "新品试用"}]},
    "referral": {"campaigns": [{"key": "invite", "name": "邀请有礼", "staff": "li.na",
                                "tiers": [{"invites": 3, "gift": "旅行装1套"}]}]},
}


async def li_nas_customer(db_url, wecom, clock) -> BotUnderTest:
    """小林 added li.na, then chatted in WeChat Customer Service: checked in, asked for the invite
    code, and asked for a person."""
    clock.set(MONDAY_10AM)
    bot = await start(db_url, wecom, clock, **COMMUNITY)
    await wecom.add_friend("li.na", EXT, name="小林")
    await bot.drain()
    await named(bot, EXT, "小林")
    for text in ("打卡 十点就睡啦", "邀请有礼", "转人工"):
        await wecom.customer_says(EXT, text)
        await bot.drain()
    async with bot.sessions.begin() as s:
        customer = await CustomerRepo(s).find(EXT)
        assert customer is not None
        await TagRepo(s).attach(customer.id, await TagRepo(s).ensure("兴趣", "保湿补水", now=bot.clock.now()),
                                source="test", now=bot.clock.now())
    return bot


async def test_the_sidebar_shows_the_customers_facts(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 200
        assert "小林" in page and "兴趣/保湿补水" in page
        assert "柚芽 · 5 积分（再 5 分升柚苗）" in page
        assert "7天早睡打卡 连续 1 天（1/7），今天已打卡" in page
        assert "邀请有礼 已邀请 0 位，再 3 位得旅行装1套" in page
        assert "转人工" in page and "待接单" in page  # the open ticket, waiting for someone
        assert "<dt>状态</dt><dd>好友</dd>" in page  # 小林 added li.na
        assert "打卡 十点就睡啦" in page  # recent kf messages
        assert "稍等查询" in page and "我马上帮你查一下" in page  # the persona's scripts
        assert "data-send=" in page and "知识库" in page
        async with bot.sessions() as s:
            viewed = (await s.scalars(select(AuditLog).where(AuditLog.action == "sidebar_view_customer"))).all()
        assert [(a.actor, a.target) for a in viewed] == [("console:li.na", EXT)]
    finally:
        await sidebar.close()
        await bot.stop()


async def test_the_sidebar_tells_what_the_customer_bought_and_where_the_latest_order_is(db_url, wecom, clock) -> None:
    """The staff tour: /whois and the console showed orders, the sidebar beside the chat did not, so an advisor
    asked "我的快递到哪了" had to leave the chat to see the order."""
    from handlers.orders.parsing import Item, OrderInput
    from handlers.orders.service import record_order
    from tests.community_kit import service

    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        assert "<dt>订单</dt><dd>暂无订单</dd>" in (await sidebar.get("/customer", ext=EXT))[1]
        async with service(bot) as ctx:
            for order_id, fen, item in (("T1001", 12900, "柚子面霜"), ("T1002", 5900, "柚子洁面")):
                await record_order(ctx, OrderInput(order_id=order_id, external_userid=EXT, unionid_hash="",
                                                   buyer_id="", amount_fen=fen, items=(Item(item, 1),),
                                                   paid_at=ctx.clock.now(), channel="天猫", status="paid"),
                                   source="api")
        status, page = await sidebar.get("/customer", ext=EXT)
        assert status == 200
        assert ("2 笔 · 累计 ¥188.00 · 最近购买 2026-03-02；"
                "最近一单 T1002（天猫 · 03-02 10:00 · 柚子洁面×1 · ¥59.00 · 已支付，未发货）") in page, page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_a_kf_only_customer_is_not_called_a_friend_and_the_advisor_is_named(db_url, wecom, clock) -> None:
    clock.set(MONDAY_10AM)
    bot = await start(db_url, wecom, clock, **COMMUNITY)
    await wecom.customer_says("wmKfOnly01", "你好")  # wrote to 微信客服 only: nobody added them
    await bot.drain()
    await kit.customer(bot, "wmKfOnly01", name="小周", advisor="li.na")
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid="wmKfOnly01")
    try:
        status, page = await sidebar.get("/customer", ext="wmKfOnly01")
        assert status == 200 and "小周" in page
        assert "<dt>状态</dt><dd>微信客服</dd>" in page and "<dt>顾问</dt><dd>李娜（li.na）</dd>" in page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_tags_go_through_the_tag_and_untag_commands(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        status, page = await sidebar.post("/customer/tag", ext=EXT, tag="+复购客户")
        assert status == 200 and "已给 小林 打上：复购客户" in page and "员工标签/复购客户" in page
        status, page = await sidebar.post("/customer/tag", ext=EXT, tag="复够客户")
        assert "没有标签「复够客户」" in page and 'class="flash error"' in page  # /tag's own answer
        status, page = await sidebar.post("/customer/untag", ext=EXT, tag="兴趣/保湿补水")
        assert "已去掉 小林 的标签：保湿补水" in page and "兴趣/保湿补水" not in page
        async with bot.sessions() as s:
            customer = await CustomerRepo(s).find(EXT)
            assert customer is not None
            assert [t.name for t in await TagRepo(s).of_customer(customer.id)] == ["复购客户"]
            trail = (await s.scalars(select(AuditLog).where(AuditLog.action.in_(["customer.tag", "customer.untag"]))
                                     .order_by(AuditLog.id))).all()
        assert [(a.actor, a.action, a.detail) for a in trail] == [
            ("li.na", "customer.tag", {"added": ["复购客户"]}),
            ("li.na", "customer.untag", {"removed": ["保湿补水"]})]
    finally:
        await sidebar.close()
        await bot.stop()


async def test_a_note_is_kept_signed_and_shown_newest_first(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        await sidebar.post("/customer/note", ext=EXT, text="干皮，预算 300 以内")
        clock.advance(60)
        status, page = await sidebar.post("/customer/note", ext=EXT, text="周末回访")
        assert status == 200 and "备注已保存" in page
        assert page.index("周末回访") < page.index("干皮，预算 300 以内") and "li.na" in page
        status, page = await sidebar.post("/customer/note", ext=EXT, text="长" * 201)
        assert "备注最多 200 个字" in page
        assert await bot.count(CustomerNote) == 2
        async with bot.sessions() as s:
            audited = (await s.scalars(select(AuditLog).where(AuditLog.action == "customer.note"))).all()
        assert [a.detail for a in audited] == [{"chars": 12}, {"chars": 4}]  # never the note itself
    finally:
        await sidebar.close()
        await bot.stop()


async def test_the_ticket_is_claimed_and_resolved_from_the_sidebar(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        _, page = await sidebar.get("/customer", ext=EXT)
        ticket_id = page.split('name="ticket" value="', 1)[1].split('"', 1)[0]
        status, page = await sidebar.post("/customer/ticket", ext=EXT, ticket=ticket_id, action="claim")
        assert status == 200 and f"已接单 #{ticket_id}（" in page and "处理中 · 李娜（li.na）" in page
        await bot.drain()
        assert wecom.kf_session(EXT).servicer_userid == "li.na"
        _, page = await sidebar.post("/customer/ticket", ext=EXT, ticket=ticket_id, action="resolve")
        assert f"已解决 #{ticket_id}" in page and "没有未结工单" in page
        await bot.drain()
        assert wecom.kf_session(EXT).state == 4  # the chat went back to the persona
    finally:
        await sidebar.close()
        await bot.stop()


async def test_another_customers_ticket_cannot_be_touched_from_this_one(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    await wecom.add_friend("li.na", "wmSideOther0001")
    await bot.drain()
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid="wmSideOther0001")
    try:
        _, mine = await sidebar.get("/customer", ext=EXT)
        ticket_id = mine.split('name="ticket" value="', 1)[1].split('"', 1)[0]
        _, page = await sidebar.post("/customer/ticket", ext="wmSideOther0001", ticket=ticket_id, action="claim")
        assert f"这位客户没有工单 #{ticket_id}" in page
        _, page = await sidebar.get("/customer", ext=EXT)
        assert "待接单" in page
    finally:
        await sidebar.close()
        await bot.stop()


async def test_quick_replies_are_searched_in_scripts_and_the_knowledge_base(db_url, wecom, clock) -> None:
    bot = await li_nas_customer(db_url, wecom, clock)
    sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=EXT)
    try:
        status, found = await sidebar.get("/replies", ext=EXT, q="打招呼")
        assert status == 200 and "宝子小林你好呀" in found and found.count('class="reply"') == 1
        _, found = await sidebar.get("/replies", ext=EXT, q="优惠券")
        assert "知识库" in found and "话术" not in found
        _, found = await sidebar.get("/replies", ext=EXT, q="完全不相关的词")
        assert "没有找到" in found
    finally:
        await sidebar.close()
        await bot.stop()

