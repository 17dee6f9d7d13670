"""Digest section: the day's topic posts to interest groups."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window
from storage.models import Topic, TopicPost

TOPICS = Metric("activity.topics", "热门话题", "activity", kind="breakdown", priority=4,
                note="当天发到兴趣群的话题（后为发送批次数）")


async def topic_posts(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    posts = func.count(TopicPost.id).label("n")
    rows = (await session.execute(
        select(Topic.text, posts).join(Topic, Topic.id == TopicPost.topic_id)
        .where(window.covers(TopicPost.created_at)).group_by(Topic.id, Topic.text)
        .order_by(posts.desc(), Topic.id).limit(10))).all()
    return {TOPICS.key: Breakdown(tuple((t if len(t) <= 30 else t[:29] + "…", int(n)) for t, n in rows))}


TOPIC_POSTS = Provider("topics", (TOPICS,), compute=topic_posts, order=35)
