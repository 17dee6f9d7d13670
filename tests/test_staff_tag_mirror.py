"""A tag staff create with /tag (or on the console's customer page) reaches WeCom like any other:
the corp tag is created once, then marked on the customer as the member who owns the contact."""

from __future__ import annotations

from tests import escalation_kit as kit


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
