"""Customers' data rights (PIPL): /export and /erase for admins, the customer page's 导出 JSON and
删除并匿名化, `wanzi customer export|erase`, and the daily [retention] run."""

from bot.config import Section
from bot.feature import Feature
from handlers.privacy import commands, console, retention
from handlers.privacy.config import RetentionConfig

FEATURE = Feature(
    name="privacy",
    commands=commands.COMMANDS,
    jobs=retention.jobs,
    console=console.PAGES,
    config=(Section("retention", RetentionConfig),),
)
