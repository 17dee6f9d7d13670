"""Campaign summary for staff: participants, daily rate, completion, drop-off day, leaderboard."""

from __future__ import annotations

from datetime import date

from bot.clock import FakeClock
from bot.wecom.events import KfMessageReceived
from handlers.checkin.campaigns import create_campaign
from handlers.checkin.service import check_in
from handlers.checkin.stats import campaign_summary, format_summary
from tests.community_kit import at
from tests.harness import context_factory

PLAN = {  # customer -> campaign days (March) they check in on
    "wmA": [2, 3, 4, 5, 6],
    "wmB": [2, 3],
    "wmC": [3, 4],
    "wmD": [2, 3, 4],
}


async def test_the_summary_shows_rates_completion_dropoff_and_leaders(sessions) -> None:
    clock = FakeClock(at(3, 1, 12))
    build = context_factory(clock)
    async with sessions.begin() as s:
        await create_campaign(build(s), key="run5", name="5天跑步", start=date(2026, 3, 2), days=5, actor="li.na")
    for day in range(2, 7):
        for n, (ext, days) in enumerate(PLAN.items()):
            if day not in days:
                continue
            clock.set(at(3, day, 8, n))
            async with sessions.begin() as s:
                ctx = build(s)
                customer = await ctx.repos.customers.upsert(ext, now=clock.now(), name=ext[2:])
                customer.last_inbound_at = clock.now()
                event = KfMessageReceived(msgid=f"{ext}-{day}", open_kfid="wk1", external_userid=ext, origin=3,
                                          msgtype="text", text="打卡")
                says = await check_in(ctx.with_(customer=customer, event=event), event)
                assert says[0].key == "checkin.ok"
    clock.set(at(3, 8, 12))
    async with sessions() as s:
        summary = await campaign_summary(build(s), "run5")
    assert summary.participants == 4
    assert [(d.checked, d.participants) for d in summary.days] == [(3, 3), (4, 4), (3, 4), (1, 4), (1, 4)]
    assert summary.completed == 1
    assert summary.dropoff == {3: 1, 4: 2} and summary.dropoff_day == 4
    assert [(r.name, r.total) for r in summary.leaderboard] == [("A", 5), ("D", 3), ("B", 2), ("C", 2)]
    text = format_summary(summary)
    assert "参与 4 人" in text and "完成 1 人" in text and "D4 25%" in text and "第4天" in text
