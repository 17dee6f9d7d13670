"""WeChat Customer Service's send window, the one rule every feature uses: kf/send_msg reaches a
customer only within 48 hours of their last message, and at most 5 messages per customer message
(kf.md §4, errcodes 95001/95002). We plan a message only if it can leave a safety margin before
the window closes (queue, retries and clock skew), so WeCom is never asked for what it refuses."""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=48)
MESSAGES = 5  # per customer message
SAFETY = timedelta(minutes=10)


def closes_at(last_inbound: datetime | None) -> datetime | None:
    """The last moment a message may be planned to leave (window end minus the safety margin)."""
    return None if last_inbound is None else last_inbound + WINDOW - SAFETY


def is_open(last_inbound: datetime | None, now: datetime) -> bool:
    """May a kf message planned now still reach the customer?"""
    end = closes_at(last_inbound)
    return end is not None and now < end
