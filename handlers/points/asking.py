"""A member's own points asked about in their own words, answered from the ledger and their redemptions:
when points lapse ("积分会过期吗"), where points went ("我的积分怎么少了"), and where a redeemed reward is
("兑换的东西什么时候寄"). Sandbox trial, 2026-12-05: the first got a promise to ask a colleague, the second
the membership FAQ, the third "没找到「的东西什么时候寄」这个礼品" and the shop's shipping policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from handlers.points.config import PointsConfig
from handlers.points.expiry import month_start
from handlers.points.service import balance_say, standing
from handlers.replies.voice import Say
from handlers.services import Ctx
from storage.models import Customer, PointsEntry, Redemption, Reward
from storage.repos import PointsRepo

HISTORY_SHOWN = 5
_MINE = r"(?:我的?|我现在的?)?"
_LAPSE = r"(?:过期|清零|到期|失效|作废)"
_WILL = r"(?:会|快|要|快要|会不会|是不是|是不是会|有没有)?"
EXPIRY_ASKED = re.compile(rf"{_MINE}积分{_WILL}{_LAPSE}(?:了)?(?:吗|么|嘛|不|没|没有)?|"
                          rf"{_MINE}积分(?:什么时候|啥时候|几时|哪天|多久|多长时间|几号)(?:会|就)?{_LAPSE}(?:了)?|"
                          rf"{_MINE}积分(?:的)?(?:有效期|期限|过期时间)(?:是)?(?:多久|多长|多长时间|到什么时候|到啥时候|到哪天)?|"
                          rf"{_MINE}积分(?:有|有没有)(?:有效期|期限)(?:吗|么)?|积分(?:年底|年末|每年)(?:会)?清零(?:吗|么|不|没)?")
_LESS = r"(?:少了|没了|扣了|被扣了|不见了|不对|对不上|减少了)"
HISTORY_ASKED = re.compile(rf"{_MINE}积分(?:怎么|为什么|为啥|咋)?(?:变)?{_LESS}(?:这么多|好多|一些|一点)?|"
                           r"(?:为什么|为啥|怎么|咋)(?:扣|扣了|少了)我(?:的)?积分|"
                           rf"(?:帮我)?(?:查一下|查查|查下|看看|看一下)?{_MINE}积分(?:明细|记录|流水|变动|变化|历史)")
# the subject: something redeemed ("兑换的东西", "我用积分换的小样"; a bare 换 only with a reward word: "我换的货"
# is an exchange of goods)
_THING = r"(?:东西|礼品|礼物|奖品|赠品|那个|[^\s，,。？?]{1,12}?)?"
_REDEEMED = (rf"(?:我)?(?:(?:用积分|积分)(?:兑换|换|兑)(?:了)?的?{_THING}|(?:兑换|兑)(?:了)?的{_THING}|"
             r"换(?:了)?的(?:礼品|礼物|奖品|赠品)|(?:兑换|积分)(?:的)?(?:礼品|礼物|奖品))")
_WHERE = (r"(?:[，,]?(?:什么时候|啥时候|几时|多久|哪天|怎么)?(?:能|会|才|还)?(?:没|没有)?"
          r"(?:寄|发|发货|寄出|发出|到|送到|收到|寄到)(?:出来|出去|货)?(?:了)?(?:吗|没|么|没有|呢)?|[，,]?(?:到哪了|到哪里了|在哪|在哪里|发了没|寄了没|物流呢|怎么还没到))")
# "换的小样啥时候到": a bare 换 with a part of a reward's name (asks_redemptions' `rewards`)
EXCHANGED_ASKED = re.compile(rf"(?:我)?(?:之前|刚才|刚刚|上次)?换(?:了)?的(?P<thing>[^\s，,。？?]{{2,12}}?){_WHERE}")
REDEMPTION_ASKED = re.compile(rf"{_REDEEMED}{_WHERE}|(?:帮我)?(?:查一下|查查|查下|看看|看一下)?我的兑换(?:记录|进度)?")
_TRIM = " \t。.!！?？~～呀啊呢哦吖嘛吧啦"


def _said(text: str) -> str:
    return text.strip().strip(_TRIM)


def asks_expiry(text: str) -> bool:
    return EXPIRY_ASKED.fullmatch(_said(text)) is not None


def asks_history(text: str) -> bool:
    return HISTORY_ASKED.fullmatch(_said(text)) is not None


def asks_redemptions(text: str, rewards: Iterable[str] = ()) -> bool:
    """Where a redeemed reward is; a bare 换 ("换的小样啥时候到") only with a part of one of `rewards`' names."""
    said = _said(text)
    if REDEMPTION_ASKED.fullmatch(said) is not None:
        return True
    exchanged = EXCHANGED_ASKED.fullmatch(said)
    return exchanged is not None and any(exchanged["thing"] in name for name in rewards)


def _md(ctx: Ctx, moment: datetime) -> str:
    local = moment.astimezone(ctx.local_now.tzinfo)
    return f"{local.month}月{local.day}日"


async def expiry_say(ctx: Ctx, customer: Customer) -> Say:
    """The rule, and the customer's own next lapse: the points of their oldest month not yet spent (spending takes
    the oldest first, as the lapse job counts them) and the day they lapse."""
    config = ctx.settings.of(PointsConfig)
    balance = (await standing(ctx, customer)).balance
    if not config.expire_months:
        return Say("points.expiry_never", {"points": balance})
    rows = (await ctx.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer.id)
                                      .order_by(PointsEntry.created_at))).all()
    taken = sum(-row.delta for row in rows if row.delta < 0)
    by_month: dict[date, int] = {}
    for row in rows:
        if row.delta > 0:
            month = month_start(row.created_at.astimezone(ctx.local_now.tzinfo).date())
            by_month[month] = by_month.get(month, 0) + row.delta
    for month, earned in sorted(by_month.items()):
        left, taken = earned - min(earned, taken), max(taken - earned, 0)
        if left > 0 and balance > 0:
            lapse = month_start(month, -(config.expire_months + 1))
            return Say("points.expiry_next", {"points": balance, "months": config.expire_months,
                                              "lapsing": min(left, balance), "date": f"{lapse.month}月{lapse.day}日"})
    return Say("points.expiry_rule", {"points": balance, "months": config.expire_months})


def _entry_text(ctx: Ctx, entry: PointsEntry) -> str:
    reason = "客服调整" if entry.source.startswith("staff:") else entry.reason  # staff notes are not for customers
    return f"· {_md(ctx, entry.created_at)} {entry.delta:+d} {reason}"


async def history_say(ctx: Ctx, customer: Customer) -> Say:
    """"我的积分怎么少了": the balance and the latest ledger rows, in the customer's words (no staff notes)."""
    balance = (await standing(ctx, customer)).balance
    entries = await PointsRepo(ctx.session).history(customer.id, HISTORY_SHOWN)
    if not entries:
        return Say("points.history_empty", {"points": balance})
    return Say("points.history", {"points": balance, "entries": "\n".join(_entry_text(ctx, e) for e in entries)})


async def redemptions_say(ctx: Ctx, customer: Customer) -> Say:
    """"兑换的东西什么时候寄": the customer's latest redemption, waiting to be shipped or shipped (and when)."""
    stmt = (select(Redemption, Reward).join(Reward, Reward.id == Redemption.reward_id)
            .where(Redemption.customer_id == customer.id, Redemption.status.in_(("ordered", "shipped")))
            .order_by(Redemption.id.desc()).limit(1))
    row = (await ctx.session.execute(stmt)).first()
    if row is None:
        return Say("points.redemption_none", {"keyword": ctx.settings.of(PointsConfig).redeem_keyword})
    redemption, reward = row
    if redemption.status == "shipped" and redemption.shipped_at is not None:
        return Say("points.redemption_shipped", {"reward": reward.name, "date": _md(ctx, redemption.shipped_at)})
    ordered = redemption.ordered_at or redemption.created_at
    return Say("points.redemption_waiting", {"reward": reward.name, "date": _md(ctx, ordered)})


async def own_points_say(ctx: Ctx, customer: Customer, question: str, answer: str) -> Say | None:
    """A member's own balance and level after the knowledge base's general answer about points ("积分咋用",
    "积分有什么用", "积分能抵现吗": the answer names 积分 as the question does): what the rule means for them, as
    "我的积分" says it. None for a customer with no points ever booked (no member yet: the general answer alone)."""
    if "积分" not in question or "积分" not in answer:
        return None
    if not await PointsRepo(ctx.session).history(customer.id, 1):
        return None
    return balance_say(await standing(ctx, customer))
