"""/digest [日期]: the daily digest as WeCom markdown, the same message the scheduled job sends."""

from __future__ import annotations

from datetime import date

from bot.commands import Command, Markdown
from bot.errors import CommandError
from handlers.digest.service import digest_markdown, last_whole_day
from handlers.services import Ctx
from handlers.staff.parsing import expect, parse_date


def parse_digest(args: list[str]) -> date | None:
    return parse_date(expect(args, 0, 1)[0]) if args else None


async def run_digest(ctx: Ctx, day: date | None) -> Markdown:
    today = ctx.local_now.date()
    if day is not None and day > today:
        raise CommandError(f"{day:%Y-%m-%d} 还没到，只能查看今天及以前的日报。")
    day = day or last_whole_day(ctx.settings, ctx.clock.now())
    text = await digest_markdown(ctx.session, ctx.settings, ctx.services.digest, day,
                                 now=ctx.clock.now(), persona=ctx.persona)
    return Markdown(text)


COMMANDS = (
    Command("/digest", "operator", "/digest [日期]", "查看某天的日报（默认昨天）", parse_digest, run_digest, order=170),
)
