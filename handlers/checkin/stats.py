"""Leaderboards and campaign summaries for staff and the digest.

Numbers managers read: participants, daily check-in rate (checked that day / joined by that
day), completion (counted every day of the campaign, make-ups included) and the drop-off day
(the first day missed by those who stopped, i.e. whose last check-in is two or more days old).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from bot.wecom.markdown import plain
from handlers.checkin.campaigns import days_of, get_campaign
from handlers.checkin.service import streak
from handlers.services import Ctx
from handlers.topics.localtime import local_day
from storage.models import CheckinCampaign, Customer
from storage.repos import CampaignRepo


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    name: str
    external_userid: str
    total: int
    streak: int


@dataclass(frozen=True, slots=True)
class DayRate:
    day_index: int
    day: date
    checked: int
    participants: int

    @property
    def rate(self) -> float:
        return self.checked / self.participants if self.participants else 0.0


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    campaign: CheckinCampaign
    as_of: date
    participants: int
    days: list[DayRate]
    completed: int
    dropoff: dict[int, int] = field(default_factory=dict)  # day index first missed -> participants
    leaderboard: list[LeaderRow] = field(default_factory=list)

    @property
    def completion_rate(self) -> float:
        return self.completed / self.participants if self.participants else 0.0

    @property
    def dropoff_day(self) -> int | None:
        """The day on which most of those who stopped first missed (earliest on a tie)."""
        if not self.dropoff:
            return None
        return min(self.dropoff, key=lambda d: (-self.dropoff[d], d))


def _display(customer: Customer) -> str:
    return plain(customer.remark or customer.name, 40) or f"…{customer.external_userid[-6:]}"


async def campaign_summary(ctx: Ctx, key: str, *, top: int = 10) -> CampaignSummary:
    """Everything staff ask about one campaign, as of today (community time zone)."""
    campaign = await get_campaign(ctx, key)
    repo = CampaignRepo(ctx.session)
    today = local_day(ctx.settings, ctx.clock.now())
    as_of = min(today, campaign.end_date)
    people = await repo.participants(campaign.id)
    by_customer, first_at = await _days_by_customer(repo, campaign)
    rates = []
    for i in range(max(0, (as_of - campaign.start_date).days + 1)):
        day = campaign.start_date + timedelta(days=i)
        joined = sum(1 for p, _ in people if local_day(ctx.settings, p.joined_at) <= day)
        checked = sum(1 for days in by_customer.values() if day in days)
        rates.append(DayRate(i + 1, day, checked, joined))
    length = days_of(campaign)
    completed = sum(1 for days in by_customer.values() if len(set(days)) >= length)
    dropoff: Counter[int] = Counter()
    for _, customer in people:
        days = sorted(set(by_customer.get(customer.id, [])))
        if days and len(days) < length and days[-1] < as_of - timedelta(days=1):
            dropoff[(days[-1] - campaign.start_date).days + 2] += 1
    best_first = _rank_key(by_customer, first_at, as_of)
    ranked = sorted(people, key=lambda pc: best_first(pc[1].id))
    board = [LeaderRow(i + 1, _display(c), c.external_userid, len(set(by_customer.get(c.id, []))),
                       streak(by_customer.get(c.id, []), as_of))
             for i, (_, c) in enumerate(ranked[:top]) if by_customer.get(c.id)]
    return CampaignSummary(campaign, as_of, len(people), rates, completed, dict(dropoff), board)


async def _days_by_customer(repo: CampaignRepo,
                            campaign: CheckinCampaign) -> tuple[dict[int, list[date]], dict[int, float]]:
    """Each customer's counted days in the camp, and when they first checked in (the leaderboard's tie-break)."""
    by_customer: dict[int, list[date]] = defaultdict(list)
    first_at: dict[int, float] = {}
    for row in await repo.checkins(campaign.id):
        by_customer[row.customer_id].append(row.day)
        first_at.setdefault(row.customer_id, row.created_at.timestamp())
    return by_customer, first_at


def _rank_key(by_customer: dict[int, list[date]], first_at: dict[int, float],
              as_of: date) -> Callable[[int], tuple[int, int, float]]:
    """Best first: most days counted, then the longest streak, then who checked in first."""
    return lambda cid: (-len(set(by_customer.get(cid, []))), -streak(by_customer.get(cid, []), as_of),
                        first_at.get(cid, float("inf")))


async def place_of(ctx: Ctx, campaign: CheckinCampaign, customer_id: int) -> tuple[int, int]:
    """The customer's place on the camp's leaderboard (as staff see it) and how many are on it; (0, n)
    when they have no day counted yet."""
    as_of = min(local_day(ctx.settings, ctx.clock.now()), campaign.end_date)
    by_customer, first_at = await _days_by_customer(CampaignRepo(ctx.session), campaign)
    ranked = sorted(by_customer, key=_rank_key(by_customer, first_at, as_of))
    return (ranked.index(customer_id) + 1 if customer_id in by_customer else 0), len(ranked)


async def leaderboard(ctx: Ctx, key: str, *, top: int = 10) -> list[LeaderRow]:
    return (await campaign_summary(ctx, key, top=top)).leaderboard


def format_summary(s: CampaignSummary) -> str:
    """Plain text for an app message to staff (also used by the digest)."""
    c = s.campaign
    lines = [f"【{c.name}】{c.start_date:%m-%d}~{c.end_date:%m-%d}，共{days_of(c)}天"
             f"{'（已结束）' if c.status != 'active' else ''}",
             f"参与 {s.participants} 人，完成 {s.completed} 人（{s.completion_rate:.0%}）"]
    if s.days:
        lines.append("每日打卡率：" + " ".join(f"D{d.day_index} {d.rate:.0%}" for d in s.days))
    if s.dropoff_day is not None:
        lines.append(f"流失高峰：第{s.dropoff_day}天（{s.dropoff[s.dropoff_day]} 人从这天起没再打卡）")
    if s.leaderboard:
        lines.append("排行榜：" + "；".join(f"{r.rank}. {r.name} {r.total}天" for r in s.leaderboard[:5]))
    return "\n".join(lines)
