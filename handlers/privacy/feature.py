"""Customers' data rights (PIPL): /export and /erase for admins, the customer page's 导出 JSON and
删除并匿名化, `wanzi customer export|erase`."""

from bot.feature import Feature
from handlers.privacy import commands, console

FEATURE = Feature(
    name="privacy",
    commands=commands.COMMANDS,
    console=console.PAGES,
)
