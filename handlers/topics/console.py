"""The topics table of the console's 活动与话题 page: every interest-group topic, its state and posts."""

from __future__ import annotations

from bot.console.html import Safe, render, table
from handlers.services import Ctx
from storage.repos import InterestRepo, TopicRepo

TOPIC_STATE = {"active": "轮换中", "paused": "已暂停"}


async def topics_table(ctx: Ctx) -> Safe:
    groups = {g.id: g.name for g in await InterestRepo(ctx.session).all()}
    rows = [(f"{groups.get(t.interest_group_id, '')} · {t.text[:40]}", TOPIC_STATE.get(t.status, t.status),
             t.post_count) for t in await TopicRepo(ctx.session).topics()]
    return render("<h2>话题</h2>$t", t=table(["话题", "状态", "发言"], rows, empty="还没有话题"))
