"""The chat sidebar (聊天工具栏): the page staff open beside a customer's chat or a customer group
in the WeCom client — the customer's facts, tags, ticket and notes, the group's community, and quick
replies sent into the chat through the JS-SDK."""

from bot.feature import Feature
from handlers.sidebar import pages

FEATURE = Feature(name="sidebar", console=pages.PAGES)
