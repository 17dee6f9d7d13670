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


def sandbox_day() -> Digest:
    """The staff tour's day: one customer ordered, redeemed and asked for a person; most lines are 0, — or 无."""
    told: dict[str, object] = {
        "activity.active_customers": (1, 0, 0.0), "activity.messages_in": (8, 0, 0.0),
        "activity.messages_out": (14, 0, 0.0), "value.orders": (1, 0, 0.1), "value.gmv": (59, 0, 18.4),
        "value.aov": (59.0, None, 129.0), "value.repurchase_rate": (1.0, 0.0, 0.0),
        "value.points_issued": (238, 0, 0.0), "value.points_redeemed": (30, 0, 0.0),
        "value.redemptions": (1, 0, 0.0), "value.points_outstanding": (208, 0, 0.0),
        "service.escalations_opened": (1, 0, 0.0), "service.escalations_resolved": (1, 0, 0.0),
        "service.first_response_median": (68.0, None, None), "conversion.chat_to_purchase": (1.0, None, None),
        "activity.top_keywords": Breakdown(tuple((f"关键词{i}", 9 - i) for i in range(10))),
        "value.gmv_by_channel": Breakdown((("小程序", 59),)),
        "value.members_by_level": Breakdown((("金柚", 1), ("暂无等级", 3))),
        "conversion.top_tags": Breakdown((("会员/金柚", 1),)), "conversion.tags_applied": (1, 0, 0.0),
    }
    lines = []
    for m in default_registry().metrics:
        value = told.get(m.key)
        if isinstance(value, Breakdown):
            lines.append(Line(m, value))
        elif isinstance(value, tuple):
            lines.append(Line(m, *value))
        elif m.kind in ("breakdown", "rate_breakdown"):
            lines.append(Line(m, Breakdown()))
        else:
            lines.append(Line(m, None if m.kind in ("rate", "seconds") else 0, 0, 0.0))
    return Digest(D, "Asia/Shanghai", datetime(2024, 3, 21, 1, 0, tzinfo=timezone.utc), tuple(lines))


def test_lines_with_something_to_tell_are_kept_before_lines_of_zeros() -> None:
    """The staff tour's /digest hid 积分兑换 1, 兑换消耗积分 30 and the member levels ("另有 28 行未显示") while it
    showed 推荐新客 0, 退款订单 0 and SLA 超时 0: when the day does not fit, lines that tell nothing go first."""
    digest = sandbox_day()
    full = markdown(digest, limit=100_000)
    assert len(full.encode()) > APP_MARKDOWN_LIMIT  # the test would prove nothing otherwise
    text = markdown(digest, link="https://wanzi.example.com/console/digest?date=2024-03-20")
    assert len(text.encode()) <= APP_MARKDOWN_LIMIT and "行未显示" in text
    for told in ("> 积分兑换 **1**", "> 兑换消耗积分 **30**", "> 会员等级分布（当前）：金柚 1",
                 "> 新建工单 **1**", "> 首次响应中位数 **1分08秒**", "> 热门关键词：关键词0 9"):
        assert told in text, told
    for headline in ("> 新增好友 **0**", "> 流失好友 **0**", "> 净增好友 **0**"):  # the headline stays, zero or not
        assert headline in text.split("\n"), headline
    assert "> 推荐新客 **0**" not in text and "> SLA 超时 **0**" not in text and "拦截原因：无" not in text


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
