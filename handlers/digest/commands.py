"""/digest [日期]: the daily digest as WeCom markdown, the same message the scheduled job sends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.commands import Command, Markdown
from bot.errors import CommandError
from handlers.digest.render import APP_MARKDOWN_LIMIT
from handlers.digest.service import digest_markdown, last_whole_day
from handlers.services import Ctx
from handlers.staff.parsing import expect, parse_date

# The day as an operator says it: 今天, 昨天, 前天, or a date of this year ("12-05", "12月5日", "12/5"); the
# sandbox's manager asked "/digest 今天" on the first day, when yesterday's digest is all zeros.
DAYS_BACK = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2,
             "明天": -1, "明日": -1, "tomorrow": -1, "后天": -2}  # not begun: told so with the date, not "不是日期"
FORMS = "可以写 2026-03-10、3-10、3月10日、今天、昨天或前天"
TODAY_HINT = "\n<font color=\"comment\">今天截至此刻的数字：发送 /digest 今天</font>"
_MONTH_DAY = re.compile(r"(\d{1,2})(?:[-/.]|月)(\d{1,2})(?:日|号)?")


@dataclass(frozen=True, slots=True)
class DayAsked:
    """A date, or what it is relative to today (resolved when the command runs, in the corp's time zone)."""
    day: date | None = None
    days_back: int | None = None
    month_day: tuple[int, int] | None = None

    def on(self, today: date) -> date:
        if self.days_back is not None:
            return today - timedelta(days=self.days_back)
        if self.month_day is not None:
            try:
                return date(today.year, *self.month_day)
            except ValueError:
                raise CommandError(f"{self.month_day[0]}月{self.month_day[1]}日不是日期（{FORMS}）。") from None
        assert self.day is not None
        return self.day


def parse_digest(args: list[str]) -> DayAsked | None:
    if not args:
        return None
    word = expect(args, 0, 1)[0]
    if word.lower() in DAYS_BACK:
        return DayAsked(days_back=DAYS_BACK[word.lower()])
    if match := _MONTH_DAY.fullmatch(word):
        return DayAsked(month_day=(int(match[1]), int(match[2])))
    try:
        return DayAsked(day=parse_date(word))
    except CommandError:
        raise CommandError(f"「{word}」不是日期（{FORMS}）。") from None


async def run_digest(ctx: Ctx, asked: DayAsked | None) -> Markdown:
    today = ctx.local_now.date()
    day = asked.on(today) if asked is not None else None
    if day is not None and day > today:
        raise CommandError(f"{day:%Y-%m-%d} 还没到，只能查看今天及以前的日报"
                           "（今天的数字截至此刻：发送 /digest 今天）。")
    hint = "" if day is not None else TODAY_HINT  # yesterday's by default: a manager asking at noon may want today
    day = day or last_whole_day(ctx.settings, ctx.clock.now())
    text = await digest_markdown(ctx.session, ctx.settings, ctx.services.digest, day, now=ctx.clock.now(),
                                 persona=ctx.persona, limit=APP_MARKDOWN_LIMIT - len(hint.encode()))
    return Markdown(text + hint)


COMMANDS = (
    Command("/digest", "operator", "/digest [日期]", "查看某天的日报（默认昨天；可写 2026-03-10、3-10、今天）",
            parse_digest, run_digest, order=170),
)
