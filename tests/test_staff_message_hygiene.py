"""What a customer writes reaches staff as words: never as a link, bold text or a coloured
warning in the advisor's ticket card, SLA reminder, queue alert, transfer notice or the digest."""

from __future__ import annotations

from emulator import markdown as wecom_markdown
from tests import escalation_kit as kit

HOSTILE = "你好 [官方退款通道](http://evil.example/refund) **紧急**"
HOSTILE_NAME = '<a href="http://evil.example/n">小王</a>**加急**<font color="warning">VIP</font>'
QUESTION = '火星 **免单** <font color="info">客服专线</font> [点我看看](http://evil.example/q) 门店几点关门？'


clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


CUSTOMER_WORDS = ("官方退款通道", "紧急", "小王", "加急", "点我看看", "免单", "客服专线", "券")


def assert_inert(text: str, *words: str) -> None:
    """No markup of the customer's survives, and their words are still there to read."""
    spans = [s for block in wecom_markdown.parse(text) for s in block["spans"]]
    assert not [s for s in spans if "evil" in s.get("href", "")]  # no customer link is clickable
    styled = [s["text"] for s in spans if s.get("bold") or s.get("color") or s.get("href") or s.get("code")]
    assert not [t for t in styled if any(w in t for w in CUSTOMER_WORDS)], styled
    for markup in ("](http://evil", "<a ", "</a>", '<font color="info">客服', "</font>**"):
        assert markup not in text, (markup, text)
    for marked in ("**紧急**", "紧急**", "**加急**", "加急**", "**免单**", "免单**"):
        assert marked not in text
    for word in words:
        assert word in text, (word, text)


async def test_the_ticket_card_shows_a_customers_link_and_bold_as_plain_words(bot, wecom) -> None:
    await kit.customer(bot, "wmEvil001", name=HOSTILE_NAME)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmEvil001", HOSTILE)
    await bot.drain()
    (card,) = wecom.staff_inbox("li.na")
    assert_inert(card, "你好", "官方退款通道", "紧急", "小王", "加急", "http://evil.example/refund")
    links = [s["href"] for b in wecom_markdown.parse(card) for s in b["spans"] if "href" in s]
    assert [link.rsplit("/", 3)[-3:] for link in links] == [["console", "tickets", "1"]]  # only Wanzi's link
    bold = [s["text"] for b in wecom_markdown.parse(card) for s in b["spans"] if s.get("bold")]
    assert bold == ["问题", "最近消息"]


async def test_the_sla_reminder_and_the_lead_shows_plain_words(bot, wecom, clock) -> None:
    await kit.customer(bot, "wmEvil002", name=HOSTILE_NAME, vip=True)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmEvil002", HOSTILE)
    await bot.drain()
    await kit.watch(bot)
    clock.advance(16 * 60)
    await kit.watch(bot)
    reminder = wecom.staff_inbox("li.na")[-1]
    assert "首响时限" in reminder
    assert_inert(reminder, "官方退款通道", "紧急", "小王")
    clock.advance(11 * 60)
    await kit.watch(bot)
    (rerouted,) = wecom.staff_inbox("wang.fang")  # the lead's card, re-routed
    assert_inert(rerouted, "官方退款通道", "小王")
    assert_inert(wecom.staff_inbox("li.na")[-1], "小王")  # "handed over" notice


async def test_the_queue_alert_shows_a_hostile_name_as_plain_words(bot, wecom, clock) -> None:
    await kit.customer(bot, "wmEvil003", name=HOSTILE_NAME)
    await wecom.customer_says("wmEvil003", HOSTILE)  # nobody on duty: the ticket waits
    await bot.drain()
    clock.advance(31 * 60)
    await kit.watch(bot)
    (alert,) = wecom.staff_inbox("wang.fang")
    assert "无人接待" in alert
    assert_inert(alert, "小王", "加急")


async def test_the_transfer_notice_shows_a_hostile_name_as_plain_words(bot, wecom) -> None:
    await kit.customer(bot, "wmEvil004", name=HOSTILE_NAME)
    await kit.on_duty(bot, "li.na")
    await wecom.servicer_status("li.na", receiving=False)  # WeCom refuses the transfer
    await bot.drain()
    await wecom.customer_says("wmEvil004", HOSTILE)
    await bot.drain()
    await kit.watch(bot)
    notice = wecom.staff_inbox("li.na")[-1]
    assert "没能转给你" in notice
    assert_inert(notice, "小王")


async def test_the_digest_shows_top_questions_and_keywords_as_plain_words(db_url, wecom, clock) -> None:
    from bot.appkeys import SCHEDULER
    from tests.harness import BotUnderTest, make_config

    config = make_config(db_url, wecom.base_url, staff=kit.STAFF, digest={"managers": ["chen.jing"], "webhook": True},
                         wecom={"webhook_key": wecom.config.webhook_keys[0]})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        for ext in ("wmEvil005", "wmEvil006"):
            await kit.customer(bot, ext, name=HOSTILE_NAME)
            await wecom.customer_says(ext, QUESTION)  # not answerable, not escalated: a top question
            await bot.drain()
        clock.advance(23 * 3600)  # Tuesday 09:00: Monday's digest goes out
        assert await bot.app[SCHEDULER].fire("digest.daily", clock.now())
        await bot.drain()
    finally:
        await bot.stop()
    (robot,) = wecom.webhook_messages()
    digest = robot["markdown"]["content"]
    assert "热门问题" in digest and "热门关键词" in digest
    assert_inert(digest, "点我看看", "免单", "客服专线")
    assert_inert(wecom.staff_inbox("chen.jing")[-1])


def test_digest_markdown_renders_hostile_breakdown_labels_as_words() -> None:
    from datetime import date, datetime, timezone

    from bot.digest_metrics import Breakdown
    from handlers.digest.build import Digest, Line
    from handlers.digest.registry import default_registry
    from handlers.digest.render import markdown
    from handlers.replies.digest import KEYWORDS, TOP_QUESTIONS

    lines = tuple(Line(m, Breakdown(((HOSTILE, 3), ('<a href="http://evil.example">券</a>', 2))))
                  for m in default_registry().metrics if m in (KEYWORDS, TOP_QUESTIONS))
    digest = Digest(date(2026, 3, 2), "Asia/Shanghai", datetime(2026, 3, 3, tzinfo=timezone.utc), lines)
    text = markdown(digest, link="https://wanzi.example.com/console/digest?date=2026-03-02")
    assert_inert(text, "官方退款通道", "券")
