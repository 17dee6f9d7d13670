"""Helpers for the customer-service tests (pool, transfers, names, staff tags)."""

from __future__ import annotations


async def say(bot, wecom, userid: str, text: str) -> str:
    """The member's one reply after sending `text` to the app."""
    before = len(wecom.staff_inbox(userid))
    await wecom.staff_sends(userid, text)
    await bot.drain()
    replies = wecom.staff_inbox(userid)[before:]
    assert len(replies) == 1, replies
    return str(replies[-1])
