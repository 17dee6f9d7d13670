"""/digest [日期]: the daily digest as WeCom markdown, the same message the scheduled job sends."""

from __future__ import annotations

from datetime import date

from bot.context import Context
from bot.errors import CommandError
from handlers.commands.community import parse_date
from handlers.commands.registry import Markdown, expect
from handlers.digest.service import digest_markdown, last_whole_day


def parse_digest(args: list[str]) -> date | None:
    return parse_date(expect(args, 0, 1)[0]) if args else None


async def run_digest(ctx: Context, day: date | None) -> Markdown:
    today = ctx.local_now.date()
    if day is not None and day > today:
        raise CommandError(f"{day:%Y-%m-%d} 还没到，只能查看今天及以前的日报。")
    text = await digest_markdown(ctx.session, ctx.settings, day or last_whole_day(ctx.settings, ctx.clock.now()),
                                 now=ctx.clock.now(), brand=ctx.persona.profile.brand)
    return Markdown(text)
