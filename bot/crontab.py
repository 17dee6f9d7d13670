"""Standard 5-field crontab expressions as APScheduler triggers.

APScheduler 3 numbers weekdays from Monday (0 = mon … 6 = sun) and `CronTrigger.from_crontab` passes
the weekday field through unchanged, so "0 20 * * 2,4" would fire on Wednesdays and Fridays. In
crontab (and in what our config and commands tell staff) 0 and 7 are Sunday, 1 Monday … 6 Saturday,
so "2,4" is Tuesday and Thursday: numeric weekdays are translated to day names first.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab numbering, 7 = Sunday again


def _weekday(part: str) -> str:
    """One comma-separated item of the weekday field: "*", "n", "a-b", with an optional "/step"."""
    if part == "*":
        return part
    body, _, step = part.partition("/")
    if step and not step.isdigit():
        raise ValueError(f"bad step in weekday {part!r}")
    if body == "*":
        first, last = 0, 6
    elif body.replace("-", "").isdigit() and body.count("-") <= 1:
        first_text, _, last_text = body.partition("-")
        first, last = int(first_text), int(last_text or first_text)
    else:
        return part  # names ("mon-fri") mean the same to APScheduler
    if not 0 <= first <= 7 or not 0 <= last <= 7 or first > last:
        raise ValueError(f"weekday {part!r} is not within 0-7 (0 and 7 = Sunday)")
    if step and not body.count("-") and body != "*":
        last = 7  # "n/step" runs from n to the end of the week
    days = range(first, last + 1, int(step) if step else 1)
    return ",".join(dict.fromkeys(DAYS[d] for d in days))


def crontab(expr: str, timezone: tzinfo | str | None = None) -> CronTrigger:
    """A trigger for "minute hour day month weekday"; ValueError names what is wrong."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    days = ",".join(_weekday(p) for p in weekday.lower().split(","))
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=days, timezone=timezone)
