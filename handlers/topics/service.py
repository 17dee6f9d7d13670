"""Topic calendars of interest groups: the topic pool, the schedules, and what to post next.

Good topics keep a community alive; product dumping (炸鱼) kills it. So topics rotate without
repeats (every active topic is posted once before any is posted again, and never the same one
twice in a row), and product topics are capped: at most one in any `product_every` posts.
When the two rules collide (too few non-product topics), the cap wins and a non-product topic
comes round early. The schedule's source of truth is the `topic_schedule` table; the
scheduler re-reads it.
"""

from __future__ import annotations

from bot.crontab import crontab
from bot.errors import CommandError
from bot.wecom.markdown import plain
from handlers.escalation.routing import member_label
from handlers.services import Ctx
from handlers.topics.config import CommunityConfig
from handlers.topics.groups import interest_group
from storage.models import InterestGroup, Topic, TopicSchedule
from storage.repos import InterestRepo, TopicRepo

MAX_TOPIC_BYTES = 3000  # room for the persona's frame inside add_msg_template's 4000 bytes


def check_cron(cron: str) -> str:
    cron = " ".join(cron.split())
    try:
        crontab(cron)
    except ValueError as exc:
        raise CommandError("时间表达式有误（分 时 日 月 周，例如 \"0 20 * * 2,4\" 表示每周二、四 20:00）："
                           f"{exc}") from None
    return cron


async def add_topic(ctx: Ctx, group_key: str, text: str, *, link: str = "", link_title: str = "",
                    image: str = "", product: bool = False, actor: str) -> Topic:
    """Add a topic to a group's rotation (an identical text is re-activated, not duplicated).

    `image` is a pic_url from WeCom's image upload API; `link` is shown as a link card."""
    text = text.strip()
    if not text:
        raise CommandError("话题内容不能为空")
    if len(text.encode()) > MAX_TOPIC_BYTES:
        raise CommandError(f"话题内容太长（最多约 {MAX_TOPIC_BYTES // 3} 个汉字）")
    if link and not link.startswith(("http://", "https://")):
        raise CommandError("链接需以 http:// 或 https:// 开头")
    group = await interest_group(ctx, group_key)
    repo = TopicRepo(ctx.session)
    topic = await repo.find_topic(group.id, text)
    if topic is None:
        topic = Topic(interest_group_id=group.id, text=text, link_url=link, link_title=link_title[:128],
                      image_url=image, is_product=product, status="active", source=f"staff:{actor}", post_count=0,
                      created_at=ctx.clock.now())
        ctx.session.add(topic)
        await ctx.session.flush()
    else:
        topic.status, topic.link_url, topic.link_title = "active", link, link_title[:128]
        topic.image_url, topic.is_product = image, product
    ctx.repos.audit.record(actor=actor, action="topic_added", target=str(topic.id), detail={"group": group_key},
                           now=ctx.clock.now())
    return topic


async def list_topics(ctx: Ctx, group_key: str | None = None) -> list[Topic]:
    """Topics in the order they will be posted (paused ones included, marked by status)."""
    group_id = (await interest_group(ctx, group_key)).id if group_key else None
    return await TopicRepo(ctx.session).topics(group_id)


async def set_topic_status(ctx: Ctx, topic_id: int, status: str, *, actor: str) -> Topic:
    """Pause (`paused`) or resume (`active`) one topic."""
    if status not in ("active", "paused"):
        raise ValueError(status)
    try:
        topic = await TopicRepo(ctx.session).get_topic(topic_id)
    except LookupError:
        raise CommandError(f"没有编号为 {topic_id} 的话题") from None
    topic.status = status
    ctx.repos.audit.record(actor=actor, action=f"topic_{status}", target=str(topic_id), now=ctx.clock.now())
    return topic


async def add_schedule(ctx: Ctx, group_key: str, cron: str, *, actor: str) -> TopicSchedule:
    """Post a topic to the group at every fire time of `cron` (community time zone).

    Every bot process picks the schedule up within [community] schedule_refresh_s."""
    cron = check_cron(cron)
    group = await interest_group(ctx, group_key)
    repo = TopicRepo(ctx.session)
    schedule = await repo.find_schedule(group.id, cron)
    if schedule is None:
        schedule = TopicSchedule(interest_group_id=group.id, cron=cron, status="active", source=f"staff:{actor}",
                                 created_at=ctx.clock.now())
        ctx.session.add(schedule)
        await ctx.session.flush()
    else:
        schedule.status = "active"
    ctx.repos.audit.record(actor=actor, action="topic_schedule_added", target=str(schedule.id),
                           detail={"group": group_key, "cron": cron}, now=ctx.clock.now())
    return schedule


async def set_schedule_status(ctx: Ctx, schedule_id: int, status: str, *, actor: str) -> TopicSchedule:
    """Pause or resume a schedule; a paused schedule's job is dropped at the next refresh."""
    if status not in ("active", "paused"):
        raise ValueError(status)
    try:
        schedule = await TopicRepo(ctx.session).get_schedule(schedule_id)
    except LookupError:
        raise CommandError(f"没有编号为 {schedule_id} 的话题时间表") from None
    schedule.status = status
    ctx.repos.audit.record(actor=actor, action=f"topic_schedule_{status}", target=str(schedule_id),
                           now=ctx.clock.now())
    return schedule


async def list_schedules(ctx: Ctx, group_key: str | None = None) -> list[TopicSchedule]:
    group_id = (await interest_group(ctx, group_key)).id if group_key else None
    return await TopicRepo(ctx.session).schedules(group_id)


async def pick_topic(ctx: Ctx, group: InterestGroup) -> Topic | None:
    """The next topic: least posted first, no immediate repeat, product topics within the cap."""
    repo = TopicRepo(ctx.session)
    topics = await repo.topics(group.id, active_only=True)
    if not topics:
        return None
    every = ctx.settings.of(CommunityConfig).product_every
    recent = await repo.recent_fires(group.id, max(every - 1, 1))
    window = recent[: every - 1]
    if any(is_product for _, is_product, _ in window):
        topics = [t for t in topics if not t.is_product]
    if len(topics) > 1 and recent:
        last_topic_id = recent[0][2]
        topics = [t for t in topics if t.id != last_topic_id]
    return topics[0] if topics else None


async def describe_group(ctx: Ctx, group: InterestGroup) -> str:
    """One line per linked chat for staff: name, owner, whether we can post there yet."""
    lines = []
    for link, chat in await InterestRepo(ctx.session).chats(group.id):
        if chat is None or not chat.owner_userid:
            lines.append(f"- {link.chat_id}：等待企业微信返回群信息")
        else:
            owner = await member_label(ctx, chat.owner_userid)
            lines.append(f"- {plain(chat.name, 40) or chat.chat_id}（群主 {owner}）")
    return "\n".join(lines) or "- 还没有关联客户群"
