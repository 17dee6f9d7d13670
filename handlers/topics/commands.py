"""Staff commands /group (interest groups and their customer groups) and /topic (their topics)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from handlers.escalation.routing import member_label
from handlers.services import Ctx
from handlers.staff.parsing import actor, expect, number, subcommand
from handlers.topics.groups import add_interest_group, link_chat, list_interest_groups
from handlers.topics.posts import post_now
from handlers.topics.service import add_topic, describe_group, list_topics, set_topic_status
from storage.models import Topic, TopicPost

MAX_LISTED = 20  # an app text holds about 2 KB; longer lists point to the console


@dataclass(frozen=True, slots=True)
class TopicArgs:
    action: str
    group: str = ""
    text: str = ""
    topic_id: int = 0


def parse_topic(args: list[str]) -> TopicArgs:
    action = subcommand(args, ("add", "list", "post", "pause", "resume"))
    rest = args[1:]
    if action == "post":
        return TopicArgs(action, group=expect(rest, 1, 1)[0])
    if action == "add":
        expect(rest, 2)
        return TopicArgs(action, group=rest[0], text=" ".join(rest[1:]))
    if action == "list":
        return TopicArgs(action, group=expect(rest, 0, 1)[0] if rest else "")
    return TopicArgs(action, topic_id=number(expect(rest, 1, 1)[0], "话题编号"))


async def run_topic(ctx: Ctx, args: TopicArgs) -> str:
    if args.action == "add":
        topic = await add_topic(ctx, args.group, args.text, actor=actor(ctx))
        return added_text(args.group, topic)
    if args.action == "post":
        return await posted_text(ctx, await post_now(ctx, args.group, actor=actor(ctx)))
    if args.action == "list":
        topics = await list_topics(ctx, args.group or None)
        if not topics:
            return "还没有话题。用 /topic add <兴趣群> <内容> 添加。"
        lines = [f"#{t.id} {'⏸ ' if t.status == 'paused' else ''}{t.text[:40]}（已发 {t.post_count} 次）"
                 for t in topics[:MAX_LISTED]]
        more = f"\n……共 {len(topics)} 个，完整列表见控制台" if len(topics) > MAX_LISTED else ""
        return "\n".join(lines) + more
    status = "paused" if args.action == "pause" else "active"
    return status_text(await set_topic_status(ctx, args.topic_id, status, actor=actor(ctx)))


async def posted_text(ctx: Ctx, posts: list[TopicPost]) -> str:
    """Which topic went to whom: each owner still taps 发送 in the WeCom client (the 群发助手)."""
    topic = await ctx.session.get(Topic, posts[0].topic_id)
    owners = "；".join([f"{await member_label(ctx, p.sender)} {len(p.chat_ids)} 个群" for p in posts])
    return (f"已把话题「{topic.text[:40] if topic else posts[0].topic_id}」发给群主确认：{owners}。"
            "群主在企业微信「群发助手」点发送后才会出现在群里。")


def added_text(group: str, topic: Topic) -> str:
    """The answers to /topic add and pause|resume (the console shows the same)."""
    return f"已加入 {group} 的话题轮换：#{topic.id} {topic.text}"


def status_text(topic: Topic) -> str:
    return f"话题 #{topic.id} 已{'暂停' if topic.status == 'paused' else '恢复'}：{topic.text[:40]}"


@dataclass(frozen=True, slots=True)
class GroupArgs:
    action: str
    key: str = ""
    name: str = ""
    tag: str = ""
    chat_id: str = ""


def parse_group(args: list[str]) -> GroupArgs:
    action = subcommand(args, ("add", "link", "list"))
    rest = args[1:]
    if action == "add":
        expect(rest, 2, 3)
        return GroupArgs(action, key=rest[0], name=rest[1], tag=rest[2] if len(rest) == 3 else "")
    if action == "link":
        expect(rest, 2, 2)
        return GroupArgs(action, key=rest[0], chat_id=rest[1])
    expect(rest, 0, 0)
    return GroupArgs(action)


async def run_group(ctx: Ctx, args: GroupArgs) -> str:
    if args.action == "add":
        group = await add_interest_group(ctx, args.key, args.name, tag=args.tag, actor=actor(ctx))
        return f"兴趣群 {group.key}「{group.name}」已保存。用 /group link {group.key} <群ID> 关联客户群。"
    if args.action == "link":
        await link_chat(ctx, args.key, args.chat_id, actor=actor(ctx))
        return f"客户群 {args.chat_id} 已关联到兴趣群 {args.key}，话题会发到这个群。"
    groups = await list_interest_groups(ctx)
    if not groups:
        return "还没有兴趣群。用 /group add <标识> <名称> [标签] 添加。"
    lines = []
    for g, chats in groups[:MAX_LISTED]:  # each chat with its owner, who confirms the topic posts
        lines += [f"{g.key}「{g.name}」：{len(chats)} 个客户群", await describe_group(ctx, g)]
    if len(groups) > MAX_LISTED:
        lines.append(f"……还有 {len(groups) - MAX_LISTED} 个，请在控制台查看")
    return "\n".join(lines)


# The console's 兴趣群 page acts with these commands' roles.
GROUP = Command("/group", "operator", "/group add <标识> <名称> [标签] | link <标识> <群ID> | list",
                "兴趣群：添加、关联客户群、查看", parse_group, run_group, order=135)
TOPIC = Command("/topic", "operator",
                "/topic add <兴趣群> <内容> | list [兴趣群] | post <兴趣群> | pause|resume <编号>",
                "兴趣群话题轮换：添加、查看、立即发一条、暂停或恢复", parse_topic, run_topic, order=140)
COMMANDS = (GROUP, TOPIC)
