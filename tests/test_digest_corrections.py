"""Digest corrections: keywords listed by the counts shown, a quiet day that fits WeCom whole, stage
keys shown as the persona's labels (digest, console), and no way into days that have not begun."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.digest_metrics import Breakdown
from handlers.digest.build import build_digest
from handlers.digest.registry import default_registry
from handlers.digest.render import APP_MARKDOWN_LIMIT, markdown, terminal
from handlers.digest.service import vocabularies
from handlers.replies.keywords import top_keywords
from persona import default_persona_path, load_persona
from storage.repos import CustomerRepo, PushRepo, StageRepo
from tests.console_kit import ConsoleClient
from tests.harness import BotUnderTest, make_config

TZ = "Asia/Shanghai"
DAY = date(2024, 3, 20)
NOON = datetime.combine(DAY, time(12), ZoneInfo(TZ))


def test_top_keywords_are_chosen_by_tf_idf_and_listed_by_the_counts_shown() -> None:
    # 色号 scores higher (rare word, 4 mentions) than 今天 (common word, 9 mentions): both make the
    # top two, and the reader sees the bigger number first.
    ranked = top_keywords([("色号推荐", 4), ("今天", 9)], limit=2)
    assert ranked == [("今天", 9), ("色号", 4)]
    counts = [n for _, n in top_keywords([("想买口红", 4), ("色号推荐", 3), ("今天好开心", 9), ("面霜", 6)], 10)]
    assert counts == sorted(counts, reverse=True)


async def test_an_all_zero_day_shows_every_metric_and_hides_no_line(sessions) -> None:
    async with sessions() as s:
        digest = await build_digest(s, DAY, TZ, now=NOON + timedelta(days=2))
    text = markdown(digest, title="柚见每日简报", link="https://wanzi.example.com/console/digest?date=2024-03-20",
                    limit=APP_MARKDOWN_LIMIT)
    assert "另有" not in text and len(text.encode()) <= APP_MARKDOWN_LIMIT
    for metric in default_registry().metrics:
        assert f"> {metric.label}" in text, metric.key
    assert "> 新增好友 **0**\n" in text  # nothing to compare: no "较前日 持平 · 7日均 0" on every line


async def test_a_stage_breakdown_reads_the_personas_labels(sessions) -> None:
    persona = load_persona(default_persona_path("interest"))
    async with sessions.begin() as s:
        for ext, stage in (("wmA", "new"), ("wmB", "new"), ("wmC", "interested"), ("wmD", "gone_stage")):
            customer = await CustomerRepo(s).upsert(ext, now=NOON)
            await StageRepo(s).add(customer.id, stage, source="test", now=NOON)
    async with sessions() as s:
        digest = await build_digest(s, DAY, TZ, now=NOON + timedelta(days=1), vocabularies=vocabularies(persona))
        raw = await build_digest(s, DAY, TZ, now=NOON + timedelta(days=1))
    assert digest.value("conversion.stages_entered") == Breakdown((("新朋友", 2), ("gone_stage", 1), ("种草期", 1)))
    assert raw.value("conversion.stages_entered") == Breakdown((("new", 2), ("gone_stage", 1), ("interested", 1)))
    assert "进入阶段：新朋友 2" in markdown(digest) and "新朋友 2" in terminal(digest)


async def test_the_terminal_digest_lines_up_after_the_longest_labels(sessions) -> None:
    """新增来源（渠道） and 会员等级分布（当前） are wider than the other labels: every row's value still
    starts in the same column (a Chinese character is two cells), and no row ends in spaces."""
    async with sessions.begin() as s:
        customer = await CustomerRepo(s).upsert("wmLevel", now=NOON)
        customer.level = "金柚"
    async with sessions() as s:
        digest = await build_digest(s, DAY, TZ, now=NOON + timedelta(days=1))
    text = terminal(digest)
    starts: dict[str, int] = {}
    for metric in default_registry().metrics:
        row = next(r for r in text.splitlines() if r.startswith(f"  {metric.label} "))
        value = row[len(metric.label) + 2:].lstrip()
        starts[metric.label] = display_width(row[:len(row) - len(value)])
        assert row == row.rstrip(), row
    assert len(set(starts.values())) == 1, starts
    assert "  新增来源（渠道）      无\n" in text and "  会员等级分布（当前）  金柚 1\n" in text


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


async def test_the_console_names_stages_and_never_links_into_a_day_not_begun(db_url, wecom, clock) -> None:
    clock.set(NOON.timestamp())
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, staff={"operators": ["li.na"]}), clock)
    async with bot.sessions.begin() as s:
        customer = await CustomerRepo(s).upsert("wmStage", now=clock.now(), name="阶段客户")
        customer.stage = "interested"
        await StageRepo(s).add(customer.id, "interested", source="test", now=clock.now())
    client = await ConsoleClient.login(bot.url)
    try:
        status, page = await client.get("/console/digest", date=f"{DAY}")  # today, still running
        assert status == 200 and "种草期 1" in page and ">interested" not in page
        assert f"date={DAY + timedelta(days=1)}" not in page and "后一天" not in page
        status, page = await client.get("/console/digest", date=f"{DAY - timedelta(days=1)}")
        assert status == 200 and f"date={DAY}" in page and "后一天" in page  # yesterday links to today
        status, _ = await client.get("/console/digest", date=f"{DAY + timedelta(days=1)}")
        assert status == 400  # as /digest refuses a day that has not begun
        status, page = await client.get("/console/digest", date="2000-01-01")
        assert status == 200 and "前一天" not in page  # nothing before the earliest day either
        status, page = await client.get("/console/customers", q="阶段客户")
        assert status == 200 and "<td>种草期</td>" in page and "<td>interested</td>" not in page
    finally:
        await client.close()
        await bot.stop()


def test_the_quiet_line_rule_keeps_a_change_worth_reading() -> None:
    from handlers.digest.build import Digest, Line

    metric = default_registry().metric("growth.new_friends")
    digest = Digest(DAY, TZ, datetime(2024, 3, 21, 1, tzinfo=timezone.utc),
                    (Line(metric, 0, 5, 2.0), Line(metric, 0, 0, 0.0)))
    first, second = markdown(digest).split("\n")[2:4]
    assert "较前日 −5" in first and "7日均 2" in first  # a drop to zero is news
    assert second == "> 新增好友 **0**"


def test_hot_keywords_skip_filler_words_customers_use_in_every_chat() -> None:
    # A sandbox day of six customers showed "东西 3 · 我要 2" first: words that say nothing of the topic.
    words = [w for w, _ in top_keywords([("我买的东西几天到", 3), ("我要退款", 2), ("我要转人工", 2),
                                         ("面霜好用吗", 2), ("真的觉得这个东西一般", 1)], 10)]
    assert "面霜" in words and "退款" in words
    assert not {"东西", "我要", "真的", "觉得"} & set(words), words


def test_hot_keywords_are_topics_not_fragments_of_asking_or_quantities() -> None:
    # sandbox 2026-12-06: "老年人用会不会刺激啊", "孩子用会不会过敏", "那我买两瓶能便宜点不" made the manager's list
    # "不会 3 · 用会 2 · 两瓶 2"
    said = ("老年人用会不会刺激啊", "孩子用会不会过敏", "那我买两瓶能便宜点不", "好的 那我先下单两瓶",
            "想买个面霜 3盒有优惠吗")
    words = [w for w, _ in top_keywords([(text, 1) for text in said], 10)]
    assert {"刺激", "过敏", "便宜", "面霜"} <= set(words), words
    assert not {"不会", "用会", "会不会", "两瓶", "3盒", "买个"} & set(words), words


def test_hot_keywords_leave_jiebas_part_of_speech_tables_unloaded() -> None:
    # jieba.analyse imports jieba.posseg: about 100 MB more in every process that built a digest.
    code = ("import sys; from handlers.replies.keywords import top_keywords; "
            "print(top_keywords([('色号推荐', 4), ('今天', 9)], 2)); print('jieba.posseg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[('今天', 9), ('色号', 4)]", "False"], out


def test_hot_keywords_keep_skin_words_whole_and_drop_asking_words() -> None:
    # The 2026-12-05 sandbox digest listed "问下 1 · 先拍 1" first; "敏感肌能用吗" came out as 敏感 / 肌能.
    words = [w for w, _ in top_keywords([("想问下你们家的面霜我这种干皮能用不", 2), ("行 那我先拍一个试试", 2),
                                         ("请教一下敏感肌能用吗", 1), ("最近老是爆痘", 1)], 10)]
    assert {"面霜", "干皮", "敏感肌", "爆痘"} <= set(words), words
    assert not {"问下", "先拍", "肌能", "能用", "请教", "老是"} & set(words), words


def test_hot_keywords_skip_greetings_and_the_shop_being_addressed() -> None:
    # The 2026-12-05 afternoon sandbox digest listed "hi 1 · 家有 1" ("你们家有适合…" cut as 你们 / 家有).
    words = [w for w, _ in top_keywords([("hi 请问你们家有适合学生党的吗", 2), ("Hello 你们家面霜多少钱", 1),
                                         ("我们家宝宝能用吗", 1)], 10)]
    assert {"学生党", "面霜", "宝宝"} <= set(words), words
    assert not {"hi", "Hello", "家有", "你们家", "我们家"} & set(words), words
    # 2026-12-05 evening: "刚扫 1 · 码加 1" from a new friend's hello
    joined = [w for w, _ in top_keywords([("你好 刚扫码加的", 3), ("刚加的 面霜怎么用", 1)], 10)]
    assert "面霜" in joined and not {"刚扫", "码加", "扫码", "加的"} & set(joined), joined
    english = [w for w, _ in top_keywords([("Do you ship to Singapore?", 2), ("how much is the cream", 1)], 10)]
    assert {"Singapore", "cream"} <= set(english) and not {"Do", "how", "much"} & set(english), english


def test_every_metric_says_how_it_is_counted() -> None:
    """The console's 口径 column is never empty: a manager reading 入群人次 or 拦截原因 learns what it counts."""
    missing = [m.key for m in default_registry().metrics if not m.note.strip()]
    assert missing == []


def test_how_a_metric_is_counted_is_told_in_words_not_in_config_keys_or_api_names() -> None:
    """The staff tour read "add_external_contact 回调数", "（kind=push）", "jieba TF-IDF" and
    "llm.daily_budget_tokens 的计数" in the 口径 column a manager reads."""
    raw = re.compile(r"[A-Za-z]+_[A-Za-z_]+|[a-z]+\.[a-z_]+|=|TF-IDF")
    assert [(m.label, m.note) for m in default_registry().metrics if raw.search(m.note)] == []


async def test_suppressed_pushes_read_their_reasons_in_words(sessions) -> None:
    async with sessions.begin() as s:
        customer = await CustomerRepo(s).upsert("wmCapped", now=NOON)
        pushes = PushRepo(s)
        for reason in ("daily_cap", "daily_cap", "opted_out", "kf_window", "something_new"):
            pushes.suppress(customer.id, "stage_tip", reason, now=NOON)
    async with sessions() as s:
        digest = await build_digest(s, DAY, TZ, now=NOON + timedelta(days=1))
    assert digest.value("outreach.suppressed_by_reason") == Breakdown(
        (("当天推送已达上限", 2), ("超出微信客服 48 小时回复期", 1), ("客户已退订", 1), ("something_new", 1)))
    assert "拦截原因：当天推送已达上限 2" in markdown(digest)
