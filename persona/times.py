"""The one parser for clock times ("09:30") and daily windows ("22:00-08:00") in persona files and
the config. Errors are ValueError with a message; callers name their file and key."""

from __future__ import annotations

import re
from datetime import time

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
DAY = 24 * 60


def minutes(text: str, *, end: bool = False) -> int:
    """"HH:MM" as minutes after midnight; "24:00" only as the `end` of a window."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not HH:MM")
    hours, mins = int(match.group(1)), int(match.group(2))
    total = hours * 60 + mins
    if mins >= 60 or total > DAY or (total == DAY and not end):
        raise ValueError(f"{text!r} is not HH:MM between 00:00 and 23:59")
    return total


def clock(text: str) -> time:
    """"HH:MM" as a time of day."""
    return clock_of(minutes(text))


def window(text: str, *, overnight: bool = True) -> tuple[int, int]:
    """"HH:MM-HH:MM" as (start, end) minutes. With `overnight`, an end before the start means the
    window spans midnight; without it the start must come first, within one day."""
    start_text, sep, end_text = text.partition("-")
    if not sep:
        raise ValueError(f'must be a window like "09:00-21:00", got {text!r}')
    start, stop = minutes(start_text), minutes(end_text, end=True)
    if not overnight and not start < stop:
        raise ValueError(f"{text!r}: start must be before end, within one day")
    return start, stop


def clock_of(total: int) -> time:
    """Minutes after midnight as a time of day (24:00 reads as 00:00)."""
    hours, mins = divmod(total % DAY, 60)
    return time(hours, mins)
