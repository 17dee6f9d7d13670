"""Staff command /topic: add, list, pause and resume interest-group topics."""

from __future__ import annotations

from dataclasses import dataclass
from handlers.services import Ctx
from handlers.staff.parsing import actor, number, subcommand
from handlers.staff.parsing import expect
from handlers.topics.service import add_topic, list_topics, set_topic_status
from bot.commands import Command


MAX_LISTED = 20  # an app text holds about 2 KB; longer lists point to the console


@dataclass(frozen=True, slots=True)
class TopicArgs:
    action: str
    group: str = ""
    text: str = ""
    topic_id: int = 0


def parse_topic(args: list[str]) -> TopicArgs:
    action = subcommand(args, ("add", "list", "pause", "resume"))
    rest = args[1:]
    if action == "add":
        expect(rest, 2)
        return TopicArgs(action, group=rest[0], text=" ".join(rest[1:]))
    if action == "list":
        return TopicArgs(action, group=expect(rest, 0, 1)[0] if rest else "")
    return TopicArgs(action, topic_id=number(expect(rest, 1, 1)[0], "话题编号"))


async def run_topic(ctx: Ctx, args: TopicArgs) -> str:
    if args.action == "add":
        topic = await add_topic(ctx, args.group, args.text, actor=actor(ctx))
        return f"已加入 {args.group} 的话题轮换：#{topic.id} {topic.text}"
    if args.action == "list":
        topics = await list_topics(ctx, args.group or None)
        if not topics:
            return "还没有话题。用 /topic add <兴趣群> <内容> 添加。"
        lines = [f"#{t.id} {'⏸ ' if t.status == 'paused' else ''}{t.text[:40]}（已发 {t.post_count} 次）"
                 for t in topics[:MAX_LISTED]]
        more = f"\n……共 {len(topics)} 个，完整列表见控制台" if len(topics) > MAX_LISTED else ""
        return "\n".join(lines) + more
    status = "paused" if args.action == "pause" else "active"
    topic = await set_topic_status(ctx, args.topic_id, status, actor=actor(ctx))
    return f"话题 #{topic.id} 已{'暂停' if status == 'paused' else '恢复'}：{topic.text[:40]}"


COMMANDS = (
    Command("/topic", "operator", "/topic add <兴趣群> <内容> | list [兴趣群] | pause|resume <编号>",
            "兴趣群话题轮换：添加、查看、暂停或恢复", parse_topic, run_topic, order=140),
)
