"""Every link Wanzi gives staff resolves: the links in app messages (ticket cards, SLA reminders,
the digest) and every link on every console page answer, never 404."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from bot.appkeys import SCHEDULER
from tests import escalation_kit as kit
from tests.console_kit import ConsoleClient
from tests.harness import BotUnderTest, make_config

HREF = re.compile(r'href="([^"]+)"')
LINK = re.compile(r"https?://[^\s)\]]+")


async def start(db_url: str, wecom, clock) -> BotUnderTest:
    clock.set(kit.MONDAY_10AM)
    config = make_config(db_url, wecom.base_url, staff=kit.STAFF,
                         escalation={"leads": ["wang.fang"], "sla_minutes": 30},
                         digest={"managers": ["zhang.wei"]})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


async def test_links_in_staff_messages_and_on_console_pages_resolve(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    client = await ConsoleClient.login(bot.url, user="zhang.wei")  # an admin sees every page
    try:
        await kit.on_duty(bot, "li.na")
        await kit.customer(bot, "wmLink0001", name="林晓")
        await wecom.customer_says("wmLink0001", "我要投诉，转人工")
        await bot.drain()
        clock.advance(25 * 60)  # close to the SLA: a reminder with the link goes out too
        await kit.watch(bot)
        await bot.app[SCHEDULER].fire("digest.daily", bot.clock.now())  # the digest links to its page
        await bot.drain()
        sent = [c.body for c in wecom.calls("message/send")]
        texts = [b.get("markdown", b.get("text", {})).get("content", "") for b in sent]
        links = {urlsplit(u).path + ("?" + urlsplit(u).query if urlsplit(u).query else "")
                 for t in texts for u in LINK.findall(t) if "/console/" in u}
        assert any(link.startswith("/console/tickets/") for link in links), texts
        seen: set[str] = set()
        variants: dict[str, int] = {}  # a page's query variants (digest days, tabs): a few of each
        queue = sorted(links) + ["/console/"]
        while queue:
            path = queue.pop(0)
            base = path.split("?")[0]
            if path in seen or variants.get(base, 0) >= 3:
                continue
            seen.add(path)
            variants[base] = variants.get(base, 0) + 1
            status, page = await client.get(path)
            if status in (301, 302, 303):
                continue
            assert status == 200, f"{path} answered {status}"
            for href in HREF.findall(page):
                target = unescape(href)
                if target.startswith("/console/") and not target.startswith("/console/static/"):
                    queue.append(target)
        assert {"/console/digest", "/console/customers", "/console/escalations"} <= {p.split("?")[0] for p in seen}
        assert any(p.startswith("/console/customers/") for p in seen)
    finally:
        await client.close()
        await bot.stop()
