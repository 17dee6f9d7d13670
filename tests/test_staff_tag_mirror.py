"""A tag staff add with /tag reaches the WeCom client like a rule's tag does: the corp tag is
created once if needed and marked on the friend (mark_tag as the member who owns the contact)."""

from __future__ import annotations

import pytest

from tests import escalation_kit as kit
from tests.service_kit import say


@pytest.fixture
async def bot(db_url, wecom, clock):
    bot = await kit.start(db_url, wecom, clock)
    yield bot
    await bot.stop()


async def test_a_new_staff_tag_is_created_in_wecom_and_marked_on_the_friend(bot, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmTag00001", name="林晓", welcome=False)
    await bot.drain()
    assert "已给" in await say(bot, wecom, "li.na", "/tag wmTag00001 +老客复购")
    assert wecom.customer_tags("zhang.wei", "wmTag00001") == ["老客复购"]
    (mark,) = wecom.calls("externalcontact/mark_tag")
    assert mark.errcode == 0 and mark.body["userid"] == "zhang.wei"

    await say(bot, wecom, "li.na", "/untag wmTag00001 老客复购")
    assert wecom.customer_tags("zhang.wei", "wmTag00001") == []


async def test_an_existing_local_tag_not_yet_in_wecom_is_mirrored(bot, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmTag00002", name="周宁", welcome=False)
    await wecom.customer_says("wmTag00003", "你好")  # a kf-only customer has no member to mark as
    await bot.drain()
    await say(bot, wecom, "li.na", "/tag wmTag00003 +敏感肌")
    await say(bot, wecom, "li.na", "/tag wmTag00002 敏感肌")
    assert wecom.customer_tags("zhang.wei", "wmTag00002") == ["敏感肌"]
    assert [c.body["external_userid"] for c in wecom.calls("externalcontact/mark_tag")] == ["wmTag00002"]


async def test_a_new_tag_from_tag_is_created_in_wecom_and_marked_on_the_customer(db_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10AM)
    bot = await kit.start(db_url, wecom, clock)
    try:
        await wecom.add_friend("li.na", "wmMirror01", name="陈洁", welcome=False)
        await bot.drain()
        await wecom.staff_sends("li.na", "/tag wmMirror01 +复购客户")
        await bot.drain()
        assert "打上：复购客户" in wecom.staff_inbox("li.na")[-1]
        (created,) = wecom.calls("externalcontact/add_corp_tag")
        assert created.body["tag"][0]["name"] == "复购客户"
        (marked,) = wecom.calls("externalcontact/mark_tag")
        assert marked.body["userid"] == "li.na" and marked.body["external_userid"] == "wmMirror01"
        assert marked.body["add_tag"] == [wecom.tag_id("复购客户")]
    finally:
        await bot.stop()
