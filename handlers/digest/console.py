"""The digest page: headline numbers, 30-day charts and every metric with its comparisons.

The same body, with the stylesheet inlined, is what `wanzi digest --html FILE` writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.appkeys import CLOCK, CONFIG, PERSONA
from bot.console.charts import Series, line_chart, placeholder
from bot.console.frame import frame, reader
from bot.console.html import STATIC, Safe, join, render, url
from bot.digest_metrics import Breakdown, Registry, Value
from bot.feature import ConsolePage
from handlers.digest.build import Digest, Line, Vocabularies, build_digest, daily_series
from handlers.digest.render import day_title, fmt_breakdown, fmt_change, fmt_value, trend
from handlers.digest.service import digest_title, last_whole_day, vocabularies
from handlers.services import services_of

CHART_DAYS = 30
# (title, metric keys, percent axis); a chart whose metrics are all pending says so.
CHARTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("增长：新增 / 流失 / 净增好友", ("growth.new_friends", "growth.lost_friends", "growth.net_growth"), False),
    ("活跃：活跃客户 / 客户消息", ("activity.active_customers", "activity.messages_in"), False),
    ("打卡率", ("activity.checkin_rate",), True),
    ("SLA：超时工单", ("service.sla_breaches",), False),
    ("人设回答率", ("service.answer_rate",), True),
)
HEADLINE = ("growth.new_friends", "growth.lost_friends", "growth.net_growth", "activity.active_customers",
            "service.answer_rate")
STYLESHEET = STATIC / "console.css"


def chart_keys(registry: Registry) -> list[str]:
    return [k for _, keys, _ in CHARTS for k in keys if registry.has(k) and not registry.pending_reason(k)]


SeriesMap = dict[str, list[tuple[date, Value]]]


def _numbers(points: list[tuple[date, Value]]) -> list[tuple[date, float | None]]:
    return [(d, float(v) if isinstance(v, (int, float)) else None) for d, v in points]


def charts(series: SeriesMap, registry: Registry) -> Safe:
    figures = []
    for title, wanted, percent in CHARTS:
        keys = [k for k in wanted if registry.has(k)]  # a build without a feature has no chart for it
        if not keys:
            continue
        pending = [registry.pending_reason(k) for k in keys]
        if all(pending):
            figures.append(placeholder(title, f"尚未统计 —— 待 {pending[0]}"))
            continue
        lines = [Series(registry.metric(k).label, _numbers(series.get(k, []))) for k in keys
                 if not registry.pending_reason(k)]
        figures.append(line_chart(title, lines, percent=percent))
    return render('<section class="charts">$f</section>', f=join(figures))


def _change_cell(line: Line) -> Safe:
    text = fmt_change(line.metric, line.change)
    cls = {1: "up", -1: "down", 0: "flat"}[trend(line)]
    return render('<span class="$cls">$t</span>', cls=cls, t=text)


def headline(digest: Digest) -> Safe:
    cards = []
    for key in HEADLINE:
        if not digest.has(key):
            continue
        line = digest.line(key)
        cards.append(render('<div class="card" data-metric="$key"><div class="label">$label</div>'
                            '<div class="value">$value</div><div class="delta">较前日 $change</div></div>',
                            key=key, label=line.metric.label, value=fmt_value(line.metric, line.value),
                            change=_change_cell(line) if line.change is not None else "—"))
    return render('<section class="cards">$c</section>', c=join(cards))


def metric_table(digest: Digest) -> Safe:
    sections = []
    for label, lines in digest.groups():
        rows = []
        for ln in lines:
            m = ln.metric
            if not ln.tracked:
                rows.append(render('<tr class="pending" data-metric="$key"><th>$label</th><td class="num">—</td>'
                                   '<td></td><td></td><td class="note">尚未统计，待 $why</td></tr>',
                                   key=m.key, label=m.label, why=ln.pending))
            elif isinstance(ln.value, Breakdown):
                rows.append(render('<tr data-metric="$key"><th>$label</th><td colspan="3">$v</td>'
                                   '<td class="note">$note</td></tr>',
                                   key=m.key, label=m.label, v=fmt_breakdown(m, ln.value, limit=10), note=m.note))
            else:
                avg = fmt_value(m, ln.average7) if ln.average7 is not None else "—"
                rows.append(render('<tr data-metric="$key"><th>$label</th><td class="num">$v</td><td>$chg</td>'
                                   '<td class="num">$avg</td><td class="note">$note</td></tr>',
                                   key=m.key, label=m.label, v=fmt_value(m, ln.value),
                                   chg=_change_cell(ln) if ln.change is not None else "—", avg=avg, note=m.note))
        sections.append(render('<h3>$label</h3><table class="metrics"><thead><tr><th>指标</th><th>当天</th>'
                               '<th>较前日</th><th>7日均</th><th>口径</th></tr></thead><tbody>$rows</tbody></table>',
                               label=label, rows=join(rows)))
    return join(sections)


def digest_body(digest: Digest, series: SeriesMap, registry: Registry,
                title: str) -> Safe:
    until = digest.generated_at.astimezone(ZoneInfo(digest.tz))
    status = "" if digest.complete else f"（当天尚未结束，截至 {until:%H:%M}）"
    return render('<h1>$title · $day</h1><p class="sub">时区 $tz $status</p>$cards$charts$table',
                  title=title, day=day_title(digest), tz=digest.tz, status=status, cards=headline(digest),
                  charts=charts(series, registry), table=metric_table(digest))


async def compute_page(session: AsyncSession, day: date, tz: str, now: datetime,
                       registry: Registry, words: Vocabularies) -> tuple[Digest, SeriesMap]:
    digest = await build_digest(session, day, tz, now=now, registry=registry, vocabularies=words)
    series = await daily_series(session, chart_keys(registry), day, tz, days=CHART_DAYS, registry=registry, now=now)
    return digest, series


async def standalone_digest_html(session: AsyncSession, digest: Digest, registry: Registry, *, title: str) -> str:
    """One self-contained HTML file (stylesheet inlined) for `wanzi digest --html`."""
    series = await daily_series(session, chart_keys(registry), digest.day, digest.tz, days=CHART_DAYS,
                                now=digest.generated_at, registry=registry)
    body = digest_body(digest, series, registry, title)
    return ("<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{title} {digest.day}</title><style>{STYLESHEET.read_text(encoding='utf-8')}</style>"
            f"</head><body><main>{body}</main></body></html>\n")


EARLIEST = date(2000, 1, 1)


def _parse_day(request: web.Request, default: date, today: date) -> date:
    raw = request.query.get("date", "")
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise web.HTTPBadRequest(text="日期要写成 YYYY-MM-DD，例如 2026-03-01。") from None
    if not EARLIEST <= day <= today:
        raise web.HTTPBadRequest(text=f"只能查看 {EARLIEST} 到今天（{today}）之间的简报。")
    return day


async def digest_page(request: web.Request) -> web.Response:
    config, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    now = clock.now()
    today = now.astimezone(ZoneInfo(config.persona.timezone)).date()
    day = _parse_day(request, last_whole_day(config, now), today)
    registry = services_of(request).digest
    async with reader(request)() as session:
        digest, series = await compute_page(session, day, config.persona.timezone, now, registry,
                                            vocabularies(request.config_dict[PERSONA], config))
    earlier = render('<a href="$prev">← 前一天</a>', prev=url("/console/digest", date=f"{day - timedelta(days=1)}")) \
        if day > EARLIEST else Safe("")
    # Never a link into a day that has not begun: the page (and /digest) refuse those.
    later = render('<a href="$next">后一天 →</a>', next=url("/console/digest", date=f"{day + timedelta(days=1)}")) \
        if day < today else Safe("")
    nav = render('<form class="daynav" method="get" action="/console/digest">'
                 '$earlier<input type="date" name="date" value="$day" min="$min" max="$today_iso">'
                 '<button type="submit">查看</button>$later<a href="$today">今天（进行中）</a>'
                 '</form>', earlier=earlier, min=f"{EARLIEST}", day=f"{day}",
                 later=later, today_iso=f"{today}", today=url("/console/digest", date=f"{today}"))
    title = digest_title(request.config_dict[PERSONA].profile.brand)
    return frame(request, "简报", join([nav, digest_body(digest, series, registry, title)]), active="digest")


PAGES = (ConsolePage("/digest", digest_page, title="简报", order=10, role="operator"),)
