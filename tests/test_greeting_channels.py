"""New friends are greeted by channel, inside WeCom's 20 seconds, and tagged in WeCom."""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select

from storage.models import AuditLog, Customer, OutboxItem
from tests.harness import BotUnderTest, make_config

DAYTIME = 1_700_013_600  # 2023-11-15 10:00 in Asia/Shanghai, outside quiet hours

SPRING_SALE: dict[str, Any] = {
    "tags": ["渠道:春日焕新"], "advisor": "li.na", "stage": "new",
    "link_title": "春日焕新季 · 新人券", "link_url": "https://example.invalid/spring", "link_desc": "满199减30",
}


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(DAYTIME)
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, channels={"spring_sale": SPRING_SALE}),
                                   clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def customer(bot: BotUnderTest, external_userid: str) -> Customer:
    async with bot.sessions() as s:
        found = await s.scalar(select(Customer).where(Customer.external_userid == external_userid))
        assert found is not None
        row: Customer = found
        return row


async def test_a_spring_sale_friend_gets_that_channels_welcome_with_its_coupon_card(wanzi, wecom, clock) -> None:
    added = await wecom.add_friend("zhang.wei", "wmSpring01", state="spring_sale", name="陈洁")
    clock.advance(15)  # a backlog: the worker gets to the welcome 15 s after WeCom's callback
    await wanzi.drain()
    (call,) = wecom.calls("externalcontact/send_welcome_msg")
    assert call.at - int(added.fields["CreateTime"]) < 20  # inside the welcome_code's 20 seconds
    assert call.errcode == 0
    assert "春日焕新季" in call.body["text"]["content"]  # the channel's own phrasing, not the default
    assert call.body["attachments"] == [{"msgtype": "link", "link": {
        "title": "春日焕新季 · 新人券", "url": "https://example.invalid/spring", "desc": "满199减30"}}]


async def test_a_friend_from_an_unconfigured_channel_gets_the_default_welcome_without_cards(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmPlain01", state="expo")
    await wanzi.drain()
    (call,) = wecom.calls("externalcontact/send_welcome_msg")
    assert "春日焕新季" not in call.body["text"]["content"] and "小柚" in call.body["text"]["content"]
    assert "attachments" not in call.body


async def test_channel_tags_reach_wecom_and_corp_tags_are_created_once(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmSpring01", state="spring_sale")
    await wanzi.drain()
    await wecom.add_friend("li.na", "wmSpring02", state="spring_sale")
    await wanzi.drain()
    assert wecom.customer_tags("zhang.wei", "wmSpring01") == ["春日焕新", "新朋友"]
    assert wecom.customer_tags("li.na", "wmSpring02") == ["春日焕新", "新朋友"]
    created = wecom.calls("externalcontact/add_corp_tag")
    assert sorted(c.body["group_name"] for c in created) == ["渠道", "阶段"]  # once per group, not per friend
    assert [c.body["userid"] for c in wecom.calls("externalcontact/mark_tag")] == ["zhang.wei", "li.na"]


async def test_a_tag_the_admin_already_made_in_wecom_is_reused_not_created_again(
        db_url: str, wecom, clock) -> None:
    clock.set(DAYTIME)
    config = make_config(db_url, wecom.base_url, channels={"expo": {"tags": ["客户来源:展会"]}})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await wecom.add_friend("zhang.wei", "wmExpo01", state="expo")
        await bot.drain()
    finally:
        await bot.stop()
    assert wecom.calls("externalcontact/add_corp_tag") == []
    (mark,) = wecom.calls("externalcontact/mark_tag")
    assert mark.ok and mark.body["add_tag"] == [wecom.tag_id("展会")]
    assert wecom.customer_tags("zhang.wei", "wmExpo01") == ["展会"]


async def test_the_channel_assigns_its_advisor_and_starting_stage(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmSpring01", state="spring_sale")
    await wanzi.drain()
    row = await customer(wanzi, "wmSpring01")
    assert (row.channel, row.advisor_userid, row.stage, row.owner_userid) == ("spring_sale", "li.na", "new",
                                                                              "zhang.wei")
    # entering the starting stage on arrival pushes nothing: the welcome is its first touch
    assert wecom.calls("externalcontact/add_msg_template") == []


async def test_no_welcome_code_means_no_call_and_a_recorded_skip(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmNoCode01", state="spring_sale", welcome=False)
    await wanzi.drain()
    assert wecom.calls("externalcontact/send_welcome_msg") == []
    async with wanzi.sessions() as s:
        (skip,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "welcome_skipped"))).all()
    assert skip.target == "wmNoCode01" and skip.detail["reason"] == "no welcome_code"
    assert wecom.customer_tags("zhang.wei", "wmNoCode01") == ["春日焕新", "新朋友"]  # still tagged


async def test_a_kf_visitor_is_welcomed_through_send_msg_on_event_in_the_same_voice(wanzi, wecom) -> None:
    await wecom.customer_enters_kf("wmKfVisit01", scene="site_footer")
    await wanzi.drain()
    (call,) = wecom.calls("kf/send_msg_on_event")
    assert call.errcode == 0 and "小柚" in call.body["text"]["content"]


async def test_group_joins_are_recorded_and_the_group_welcome_template_is_added_once(wanzi, wecom) -> None:
    await wecom.create_group("wrGroup0001", "zhang.wei", "柚见护肤同好群")
    await wecom.customers_join_group("wrGroup0001", ["wmJoin01", "wmJoin02"])
    await wecom.customers_join_group("wrGroup0001", ["wmJoin03"])
    await wanzi.drain()
    (call,) = wecom.calls("externalcontact/group_welcome_template/add")
    assert call.errcode == 0 and "%NICKNAME%" in call.body["text"]["content"]
    from storage.models import GroupMembership
    assert await wanzi.count(GroupMembership, GroupMembership.left_at.is_(None)) == 3


async def test_a_lost_friend_is_marked_with_time_and_who(wanzi, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmBye01", state="spring_sale")
    await wanzi.drain()
    await wecom.customer_deletes_staff("zhang.wei", "wmBye01")
    await wanzi.drain()
    row = await customer(wanzi, "wmBye01")
    assert (row.status, row.lost_by) == ("lost", "customer")
    assert row.lost_at is not None and abs(row.lost_at.timestamp() - clock.time()) < 1
    async with wanzi.sessions() as s:
        rows = (await s.scalars(select(OutboxItem).where(OutboxItem.status != "sent"))).all()
    assert rows == []


async def test_a_customer_who_deletes_one_member_but_keeps_another_is_not_lost(wanzi, wecom, clock) -> None:
    """Two members have the customer; deleting the first is no lost friend (the digest's 流失好友, pushes and
    `lost_friend_days` erasure stay as for a friend), and the other member holds the contact now."""
    await wecom.add_friend("zhang.wei", "wmTwo01", state="spring_sale")
    await wanzi.drain()
    clock.advance(60)
    await wecom.add_friend("li.na", "wmTwo01")
    await wanzi.drain()
    await wecom.customer_deletes_staff("zhang.wei", "wmTwo01")
    await wanzi.drain()
    row = await customer(wanzi, "wmTwo01")
    assert (row.status, row.lost_at, row.owner_userid) == ("active", None, "li.na")
    clock.advance(60)
    await wecom.staff_deletes_customer("li.na", "wmTwo01")
    await wanzi.drain()
    row = await customer(wanzi, "wmTwo01")
    assert (row.status, row.lost_by) == ("lost", "li.na")


async def test_a_lost_customer_who_adds_a_member_again_is_a_friend_until_that_member_goes(wanzi, wecom,
                                                                                          clock) -> None:
    await wecom.add_friend("zhang.wei", "wmBack01")
    await wanzi.drain()
    await wecom.customer_deletes_staff("zhang.wei", "wmBack01")
    await wanzi.drain()
    assert (await customer(wanzi, "wmBack01")).status == "lost"
    clock.advance(3600)
    await wecom.add_friend("li.na", "wmBack01")
    await wanzi.drain()
    row = await customer(wanzi, "wmBack01")
    assert (row.status, row.owner_userid) == ("active", "li.na")
    await wecom.customer_deletes_staff("li.na", "wmBack01")
    await wanzi.drain()
    assert (await customer(wanzi, "wmBack01")).status == "lost"  # zhang.wei's friendship ended before
