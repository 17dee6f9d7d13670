"""The digest leaving Wanzi: the 09:00 job, WeCom's byte limits on a busy day, and `wanzi digest`."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from pathlib import Path

from bot.appkeys import SCHEDULER
from bot.cli import main
from bot.digest_metrics import Breakdown
from handlers.digest.build import Digest, Line
from handlers.digest.registry import default_registry
from handlers.digest.render import APP_MARKDOWN_LIMIT, WEBHOOK_MARKDOWN_LIMIT, markdown
from tests.digest_scenario import D, local, play
from tests.harness import BotUnderTest, make_config

MANAGERS = ["zhang.wei", "chen.jing"]


async def test_at_nine_the_managers_get_yesterdays_digest(db_url, wecom, clock) -> None:
    config = make_config(db_url, wecom.base_url, digest={"send_at": "09:00", "managers": MANAGERS, "webhook": True},
                         server={"public_url": "https://wanzi.example.com"},
                         wecom={"webhook_key": wecom.config.webhook_keys[0]})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await play(bot, wecom, clock)
        clock.set(local(1, "08:59", 30))
        scheduler = bot.app[SCHEDULER]
        await scheduler.start()
        assert "digest.daily" not in [name for name, _ in await scheduler.tick()]
        clock.advance(60)
        assert "digest.daily" in [name for name, _ in await scheduler.tick()]
        await bot.drain()
        (call,) = [c for c in wecom.calls("message/send") if c.body.get("msgtype") == "markdown"]
        assert call.errcode == 0 and call.body["touser"] == "zhang.wei|chen.jing"
        text = call.body["markdown"]["content"]
        assert text.startswith("## 柚见每日简报 · 2024-03-20（周三）")
        assert "> 新增好友 **3**" in text and "较前日 +1" in text and "> 人设回答率 **50%**" in text
        assert "https://wanzi.example.com/console/digest?date=2024-03-20" in text
        assert len(text.encode()) <= APP_MARKDOWN_LIMIT
        for manager in MANAGERS:
            assert wecom.staff_inbox(manager)[-1] == text
        (robot,) = wecom.webhook_messages()
        assert robot["markdown"]["content"].startswith("## 柚见每日简报 · 2024-03-20")
        clock.advance(3600)
        assert "digest.daily" not in [name for name, _ in await scheduler.tick()]  # once a day
    finally:
        await bot.stop()


def busy_digest() -> Digest:
    """Every metric tracked, long channel names, ten keywords: more than 2048 bytes before fitting."""
    lines = []
    for m in default_registry().metrics:
        if m.kind in ("breakdown", "rate_breakdown"):
            items = tuple((f"{m.label}渠道名称很长的一项第{i}号_spring_festival_2024", 1000 - i) for i in range(12))
            lines.append(Line(m, Breakdown(items)))
        elif m.kind == "rate":
            lines.append(Line(m, 0.734, 0.71, 0.702))
        elif m.kind == "seconds":
            lines.append(Line(m, 4210.0, 3990.0, 3600.0))
        else:
            lines.append(Line(m, 123456, 120000, 118765.4))
    return Digest(D, "Asia/Shanghai", datetime(2024, 3, 21, 1, 0, tzinfo=timezone.utc), tuple(lines))


def test_a_busy_days_markdown_fits_wecom_by_dropping_whole_low_priority_lines() -> None:
    digest = busy_digest()
    full = markdown(digest, link="https://wanzi.example.com/console/digest?date=2024-03-20", limit=100_000)
    assert len(full.encode()) > WEBHOOK_MARKDOWN_LIMIT  # the test would prove nothing otherwise
    for limit in (APP_MARKDOWN_LIMIT, WEBHOOK_MARKDOWN_LIMIT):
        text = markdown(digest, link="https://wanzi.example.com/console/digest?date=2024-03-20", limit=limit)
        assert len(text.encode()) <= limit
        kept = text.split("\n")
        assert set(kept[:-2]) <= set(full.split("\n"))  # whole lines only, never a cut one
        assert kept[0].startswith("## 每日简报") and kept[-1].endswith("date=2024-03-20)")
        assert "另有" in kept[-2]
        for essential in ("> 新增好友 **123,456**", "> 流失好友 **123,456**", "> 活跃客户 **123,456**"):
            assert any(line.startswith(essential) for line in kept), essential
    app = markdown(digest, limit=APP_MARKDOWN_LIMIT)
    robot = markdown(digest, limit=WEBHOOK_MARKDOWN_LIMIT)
    assert len(robot.split("\n")) > len(app.split("\n"))  # the robot's 4096 bytes carry more


async def test_the_busy_digest_is_accepted_by_message_send(wanzi, wecom) -> None:
    text = markdown(busy_digest(), limit=APP_MARKDOWN_LIMIT)
    async with wanzi.sessions.begin() as s:
        from bot.outbox import Outbox

        Outbox(s, wanzi.clock).app_markdown(1000002, "zhang.wei", text)
    await wanzi.drain()
    (call,) = wecom.calls("message/send")
    assert call.errcode == 0 and call.body["markdown"]["content"] == text


async def test_wanzi_digest_prints_the_day_and_writes_html(db_url, wecom, clock, tmp_path: Path, capsys) -> None:
    config = make_config(db_url, wecom.base_url)
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await play(bot, wecom, clock)
    finally:
        await bot.stop()
    toml = tmp_path / "wanzi.toml"
    toml.write_text(f'[database]\nurl = "{db_url}"\n[persona]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    html = tmp_path / "digest.html"
    code = await asyncio.to_thread(main, ["--config", str(toml), "digest", "--date", "2024-03-20", "--html", str(html)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("柚见每日简报 · 2024-03-20（周三） · 时区 Asia/Shanghai")
    assert "新增好友" in out and "较前日 +1" in out and "expo 2 · live 1" in out
    assert re.search(r"新建工单 +1 ", out) and "尚未统计" not in out
    page = html.read_text(encoding="utf-8")
    assert page.count('<svg class="chart"') == 5 and "<style>" in page and 'href="/console' not in page
