"""Managers read a channel by its name, not the 「联系我」 code's state: `[channels.<state>] name`, else the name of
its 渠道 tag ("渠道:春日焕新"), else the state as stored. The digest's new-friends-by-channel, /whois, the console's
customer pages and the chat sidebar all say it."""

from __future__ import annotations

import pytest

from handlers.greeting.config import channel_name
from handlers.sidebar.cards import customer_card
from tests.community_kit import at, service, start_bot
from tests.service_kit import say

CHANNELS = {"expo": {"name": "春季展会海报"}, "spring_sale": {"tags": ["渠道:春日焕新"]}}
STAFF = {"admins": ["zhang.wei"], "operators": ["li.na"]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, channels=CHANNELS, staff=STAFF)
    yield bot
    await bot.stop()


async def test_the_digest_and_whois_name_the_channel(bot, wecom, clock) -> None:
    for ext, state, name in (("wmCh1", "expo", "安安"), ("wmCh2", "expo", "贝贝"), ("wmCh3", "spring_sale", "丹丹"),
                             ("wmCh4", "live0302", "古斯")):
        await wecom.add_friend("zhang.wei", ext, state=state, name=name)
        await bot.drain()
    clock.set(at(3, 3, 9))
    digest = await say(bot, wecom, "li.na", "/digest 2026-03-02")
    assert "春季展会海报 2" in digest and "春日焕新 1" in digest and "live0302 1" in digest, digest
    assert "expo" not in digest and "spring_sale" not in digest, digest
    assert "来源渠道：春季展会海报" in await say(bot, wecom, "li.na", "/whois 安安")
    assert "来源渠道：live0302" in await say(bot, wecom, "li.na", "/whois 古斯")  # no name configured: as stored
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find("wmCh3")
        assert customer is not None
        assert (await customer_card(ctx, customer)).channel == "春日焕新"
        assert channel_name(ctx.settings, "") == ""
