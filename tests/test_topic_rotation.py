"""Topic rotation: every topic once before any repeat, never twice in a row, product topics capped."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from handlers.topics.groups import add_interest_group, link_chat
from handlers.topics.posts import post_topic
from handlers.topics.service import add_schedule, add_topic, set_topic_status
from tests.community_kit import at
from tests.harness import context_factory


async def test_topics_rotate_without_repeats_and_products_stay_under_the_cap(sessions) -> None:
    clock = FakeClock(at(3, 2, 9))
    base = context_factory(clock)

    def build(session):
        ctx = base(session)
        return ctx.with_(settings=ctx.settings.replace(community={"product_every": 3}))

    async with sessions.begin() as s:
        ctx = build(s)
        await add_interest_group(ctx, "reading", "读书会", actor="li.na")
        await link_chat(ctx, "reading", "wrRead0001", actor="li.na")
        chat = await ctx.repos.groups.upsert("wrRead0001", now=clock.now())
        chat.owner_userid, chat.name = "zhang.wei", "读书会1群"
        schedule = await add_schedule(ctx, "reading", "0 20 * * *", actor="li.na")
        texts = {}
        for text, product in (("这周在读什么书？", False), ("新书签上架", True), ("最喜欢的一句话", False),
                              ("读书灯限时优惠", True), ("睡前读书还是早起读书？", False)):
            texts[(await add_topic(ctx, "reading", text, product=product, actor="li.na")).id] = (text, product)
    posted = []
    for day in range(12):
        clock.set(at(3, 2, 20) + day * 86400)
        async with sessions.begin() as s:
            (post,) = await post_topic(build(s), schedule.id, clock.now())
            posted.append(texts[post.topic_id])
    names = [t for t, _ in posted]
    assert len(set(names[:5])) == 5  # every topic once before any repeats
    assert all(a != b for a, b in zip(names, names[1:], strict=False))  # never the same topic twice in a row
    products = [p for _, p in posted]
    assert all(sum(products[i:i + 3]) <= 1 for i in range(len(products)))  # ≤ 1 product in any 3 posts
    assert sum(products) >= 3  # products still get their turn
    # a paused topic leaves the rotation
    async with sessions.begin() as s:
        paused = next(i for i, (t, _) in texts.items() if t == "这周在读什么书？")
        await set_topic_status(build(s), paused, "paused", actor="li.na")
    for day in range(12, 16):
        clock.set(at(3, 2, 20) + day * 86400)
        async with sessions.begin() as s:
            (post,) = await post_topic(build(s), schedule.id, clock.now() + timedelta(seconds=0))
            assert post.topic_id != paused
