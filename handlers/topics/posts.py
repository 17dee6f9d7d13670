"""Posting topics to customer groups and reading back what was delivered.

The documented path for customer groups: `add_msg_template` with chat_type "group" proposes
the post to each group owner, who confirms it in the WeCom client; an app message reminds the
owner. The task's msgid (from the follow-up) is later read back with get_groupmsg_send_result
for the digest. One scheduler job per topic schedule, named `topic:<schedule id>`; the job's
fire time is claimed once across processes (job_run) and `topic_post` is unique per
(schedule, fire time, owner) as a second guard.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.crontab import crontab
from bot.errors import CommandError
from bot.scheduler import Job, JobFunc, JobSource
from bot.wecom.markdown import plain
from handlers.services import Ctx
from handlers.topics.config import CommunityConfig
from handlers.topics.groups import interest_group
from handlers.topics.localtime import zone
from handlers.topics.service import pick_topic
from storage.models import OutboxItem, Topic, TopicPost
from storage.repos import InterestRepo, TopicRepo

JOB_PREFIX = "topic:"
AGAIN_AFTER = timedelta(minutes=10)  # /topic post: a second post to the same groups no sooner
RECHECK = timedelta(minutes=25)  # results job runs every 30 min; do not read one task twice per run


def topic_jobs(config: Config) -> JobSource:
    """A job source for the scheduler: one cron job per active schedule, rebuilt from the DB."""

    async def load(session: AsyncSession) -> list[Job]:
        jobs = []
        for schedule in await TopicRepo(session).schedules(active_only=True):
            trigger = crontab(schedule.cron, timezone=zone(config))
            jobs.append(Job(f"{JOB_PREFIX}{schedule.id}", trigger, _job_for(schedule.id),
                            misfire_grace_s=config.of(CommunityConfig).topic_misfire_grace_s))
        return jobs

    return load


def _job_for(schedule_id: int) -> JobFunc:
    async def run(ctx: Ctx, fire_time: datetime) -> None:
        await post_topic(ctx, schedule_id, fire_time)

    run.__name__ = f"post_topic_{schedule_id}"
    return run


def _attachments(topic: Topic) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if topic.image_url:
        out.append({"msgtype": "image", "image": {"pic_url": topic.image_url}})
    if topic.link_url:
        out.append({"msgtype": "link", "link": {"title": topic.link_title or topic.link_url[:64],
                                                "url": topic.link_url}})
    return out


async def post_topic(ctx: Ctx, schedule_id: int, fire_time: datetime) -> list[TopicPost]:
    """Propose the next topic to every owner of the group's chats and remind each owner."""
    repo, interest = TopicRepo(ctx.session), InterestRepo(ctx.session)
    now = ctx.clock.now()
    schedule = await repo.get_schedule(schedule_id)
    group = await interest.get_by_id(schedule.interest_group_id)
    if schedule.status != "active" or group.status != "active":
        return []
    by_owner: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link, chat in await interest.chats(group.id):
        if chat is None or not chat.owner_userid:
            ctx.outbox.groupchat_get(link.chat_id)  # learn the owner for next time
        elif chat.status == "active":
            by_owner[chat.owner_userid].append((chat.chat_id, plain(chat.name, 40) or chat.chat_id))
    topic = await pick_topic(ctx, group) if by_owner else None
    if topic is None:
        reason = "no chat with a known owner" if not by_owner else "no topic available"
        ctx.repos.audit.record(actor="system", action="topic_skipped", target=group.key,
                               detail={"schedule": schedule_id, "reason": reason}, now=now)
        return []
    rendered = ctx.render("community.topic_post", topic=topic.text, group=group.name, link_title=topic.link_title)
    posts = []
    for owner, chats in by_owner.items():
        chat_ids = [c for c, _ in chats]
        item = ctx.outbox.group_msg_template(owner, chat_ids, rendered.text, attachments=_attachments(topic),
                                             template_key=f"community.topic_post#{rendered.variant}")
        await ctx.session.flush()  # the row id links the post to WeCom's answer
        post = TopicPost(schedule_id=schedule.id, interest_group_id=group.id, topic_id=topic.id,
                         is_product=topic.is_product, fire_time=fire_time, sender=owner, chat_ids=chat_ids,
                         outbox_id=item.id, msgid="", sent=0, pending=0, failed=0, created_at=now)
        ctx.session.add(post)
        posts.append(post)
        note = ctx.render("community.topic_owner_reminder", staff=owner, group=group.name, count=len(chats),
                          chats="、".join(name for _, name in chats), topic=topic.text[:60])
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, owner, note.text)
    topic.post_count += 1
    topic.last_posted_at = now
    await ctx.session.flush()
    return posts


async def post_now(ctx: Ctx, group_key: str, *, actor: str) -> list[TopicPost]:
    """The group's next topic now, ahead of its calendar (an operator opening a discussion during a live or a
    launch): proposed to each chat owner and counted as a post of the group's first running schedule, as if it
    had fired now. A group that cannot post says why (CommandError, without the usage: it was typed right)."""
    group = await interest_group(ctx, group_key)
    repo, interest, key = TopicRepo(ctx.session), InterestRepo(ctx.session), group.key
    if group.status != "active":
        raise _cannot(f"兴趣群 {key} 已暂停，先恢复再发")
    schedules = await repo.schedules(group.id, active_only=True)
    if not schedules:
        raise _cannot(f"兴趣群 {key} 没有进行中的话题日程：先在控制台「活动与话题」加一个（例如每天 20:00）")
    if not await interest.chats(group.id):
        raise _cannot(f"兴趣群 {key} 还没有关联客户群：/group link {key} <群ID>")
    if not await repo.topics(group.id, active_only=True):
        raise _cannot(f"兴趣群 {key} 没有可发的话题：/topic add {key} <内容>")
    now = ctx.clock.now()
    last = await repo.last_post_since(group.id, now - AGAIN_AFTER)
    if last is not None:  # a second tap, or a post just proposed: each one costs the groups a month's mass message
        minutes = int((now - last.created_at).total_seconds() // 60)
        raise _cannot(f"兴趣群 {key} {f'{minutes} 分钟前' if minutes else '刚刚'}发过一条，群主在「群发助手」确认后就会"
                      f"出现在群里；每条都占客户群当月的群发次数，{AGAIN_AFTER.seconds // 60} 分钟后才能再发")
    posts = await post_topic(ctx, schedules[0].id, now)
    if not posts:
        raise _cannot(f"还不知道 {key} 的客户群群主是谁：已向企业微信查询，稍后再发")
    ctx.repos.audit.record(actor=actor, action="topic_posted_now", target=key,
                           detail={"topic": posts[0].topic_id, "senders": [p.sender for p in posts]}, now=now)
    return posts


def _cannot(text: str) -> CommandError:
    return CommandError(text, usage=False)


async def request_results(ctx: Ctx, fire_time: datetime) -> None:
    """Job: read back delivery of recent posts until every group received or failed."""
    now = ctx.clock.now()
    since = now - timedelta(hours=ctx.settings.of(CommunityConfig).result_check_hours)
    for post in await TopicRepo(ctx.session).posts_to_check(since=since, checked_before=now - RECHECK):
        ctx.outbox.groupmsg_send_result(post.msgid, post.sender)
        post.checked_at = now


# --- follow-ups ------------------------------------------------------------------------------


async def apply_task(ctx: Ctx, item: OutboxItem) -> None:
    """add_msg_template answered: keep the task msgid so its delivery can be read back."""
    post = await TopicRepo(ctx.session).post_by_outbox(item.id)
    if post is None:
        return
    msgid = str((item.result or {}).get("msgid") or "")
    if msgid and await TopicRepo(ctx.session).record_task(post.id, msgid):
        await ctx.session.refresh(post)
        post.pending = len(post.chat_ids)


async def apply_send_result(ctx: Ctx, item: OutboxItem) -> None:
    """get_groupmsg_send_result answered: count sent / waiting for the owner / failed groups."""
    payload, result = item.payload, item.result or {}
    first_page = not payload.get("cursor")
    for post in await TopicRepo(ctx.session).posts_by_msgid(str(payload.get("msgid")), str(payload.get("userid"))):
        counts = {1: 0, 0: 0, 2: 0}
        for row in result.get("send_list") or []:
            status = int(row.get("status", 0))
            counts[status if status in (0, 1) else 2] += 1
        if first_page:
            post.sent, post.pending, post.failed = counts[1], counts[0], counts[2]
        else:
            post.sent, post.pending, post.failed = post.sent + counts[1], post.pending + counts[0], \
                post.failed + counts[2]
        post.checked_at = ctx.clock.now()
    if result.get("next_cursor"):
        ctx.outbox.groupmsg_send_result(str(payload.get("msgid")), str(payload.get("userid")),
                                        cursor=str(result["next_cursor"]))


async def sweep_tasks(ctx: Ctx) -> None:
    """Apply task answers a follow-up missed; mark posts whose proposal WeCom refused."""
    for post, item in await TopicRepo(ctx.session).posts_awaiting_task():
        if item.status == "sent":
            await apply_task(ctx, item)
        else:
            post.failed, post.pending, post.checked_at = len(post.chat_ids), 0, ctx.clock.now()
            ctx.repos.audit.record(actor="system", action="topic_post_failed", target=str(post.id),
                                   detail={"error": item.last_error}, now=ctx.clock.now())
