"""The staff web console (aiohttp, server-rendered): digest, customers, escalations, campaigns,
outbox and, under `wanzi sandbox`, the chat emulator."""

from bot.console.app import mount_console
from bot.console.sources import ConsoleSources, default_sources

__all__ = ["ConsoleSources", "default_sources", "mount_console"]
