"""Points on the console's customer page: balance and member level from the ledger, the latest
entries, and (operators) an adjustment with a reason, through the function /points runs."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import Form, values
from bot.console.frame import allowed, session_of, staff_names, who
from bot.console.html import local_time, render, table
from bot.feature import ConsolePage
from handlers.customers.console import customer_action
from handlers.points.commands import POINTS, adjusted_text, parse_delta
from handlers.points.service import adjust_points, standing
from handlers.points.shipping import sidebar_redemptions
from handlers.services import Ctx
from storage.models import Customer
from storage.repos import PointsRepo

HISTORY = 5
# Where a ledger entry came from (`points_entry.source`), as staff read it; "staff:<userid>" names the member.
SOURCE_WORDS = {"order": "订单", "refund": "退款扣回", "checkin": "打卡", "milestone": "打卡里程碑",
                "referral": "邀请奖励", "redeem": "兑换", "expire": "过期"}


def source_words(source: str, names: dict[str, str]) -> str:
    if source.startswith("staff:"):
        return f"员工 {who(source.removeprefix('staff:'), names)}"
    return SOURCE_WORDS.get(source, source)
ADJUST = """<form method="post" action="/console/customers/$id/points" class="act compact" id="points-adjust">
<input type="hidden" name="csrf" value="$csrf">
<label>调整 <input name="delta" value="$delta" maxlength="7" required placeholder="+50 或 -20" size="8"></label>
<label>原因 <input name="reason" value="$reason" maxlength="128" required placeholder="线下活动奖励"></label>
<button type="submit">调整积分</button></form>"""


async def points_fact(ctx: Ctx, customer: Customer) -> list[tuple[str, str]]:
    current = await standing(ctx, customer)
    level = f"（{current.level.name}）" if current.level else ""
    return [("积分", f"{current.balance}{level}")]


async def redemptions_fact(ctx: Ctx, customer: Customer) -> list[tuple[str, str]]:
    """兑换: what waits to be shipped and where to (or what it waits for), as /redeem list and the sidebar say it."""
    said = await sidebar_redemptions(ctx, customer)
    return [("兑换", said)] if said else []


async def points_panel(request: web.Request, ctx: Ctx, customer: Customer, form: Form | None) -> str:
    """The 积分 section: the latest ledger entries and, for who may run /points, the adjustment form."""
    if not allowed(request, adjust):
        return ""
    tz = request.config_dict[CONFIG].persona.timezone
    entries = await PointsRepo(ctx.session).history(customer.id, HISTORY)
    names = await staff_names(ctx.session)
    rows = [(local_time(e.created_at, tz), f"{e.delta:+d}", e.reason, source_words(e.source, names)) for e in entries]
    v = values(form, delta="", reason="")
    ledger = table(["时间", "变动", "原因", "来源"], rows, empty="还没有积分流水", cls="ledger")
    return render('<h3>积分</h3>$ledger$form', ledger=ledger,
                  form=render(ADJUST, id=customer.id, csrf=session_of(request).csrf, **v))


async def _adjust(ctx: Ctx, customer: Customer, form: Form) -> str:
    delta, reason = parse_delta(form.get("delta", "")), form.get("reason", "")
    assert ctx.staff is not None
    result = await adjust_points(ctx, customer.external_userid, delta, reason=reason, actor=ctx.staff.userid)
    return adjusted_text(customer, delta, reason, result)


adjust = customer_action("points_adjust", _adjust)

PAGES = (ConsolePage("/customers/{id}/points", adjust, method="POST", role=POINTS.role),)
