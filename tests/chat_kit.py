"""A customer's side of a kf chat in tests: say a line, get the persona's replies; count rows."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.harness import BotUnderTest


async def say(bot: BotUnderTest, wecom, ext: str, text: str) -> list[str]:
    """The customer writes `text`; the kf messages Wanzi sent back to it."""
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    return [str(r) for r in wecom.customer_inbox(ext)[before:]]


async def count(bot: BotUnderTest, model: type) -> int:
    async with bot.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)
