"""What a level changes: reaching one adds its tags (mirrored to WeCom like rule tags) and, from
`[points] advisor_from_level` up, assigns an exclusive advisor to a customer who has none (the
advisor serving the fewest customers), who is told in an app message. `escalation.vip_levels` and
`sla_minutes_by_level` read `customer.level`, which points/service.py `book` writes. Every change is audited."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.wecom.markdown import plain
from handlers.points.config import PointsConfig
from handlers.services import Ctx
from handlers.staff.parsing import quoted
from handlers.tagging.service import apply_tags
from persona.rules import TagRef
from storage.models import Customer

LEVEL_TAG_SOURCE = "level"


async def level_changed(ctx: Ctx, customer: Customer, old: str, new: str) -> None:
    config, now = ctx.settings.of(PointsConfig), ctx.clock.now()
    ctx.repos.audit.record(actor="system", action="member.level", target=customer.external_userid,
                           detail={"from": old, "to": new}, now=now)
    if config.rank(new) <= config.rank(old):
        return
    spec = config.level(new)
    tags = [TagRef.parse(text, source="config", key="points.levels.tags") for text in (spec.tags if spec else ())]
    if tags:  # validated when the config loaded
        await apply_tags(ctx, customer, add=tags, source=LEVEL_TAG_SOURCE)
    if (config.advisor_from_level and config.rank(new) >= config.rank(config.advisor_from_level)
            and not customer.advisor_userid):
        advisor = await least_busy_advisor(ctx)
        if advisor:
            customer.advisor_userid = advisor
            ctx.repos.audit.record(actor="system", action="customer.assign", target=customer.external_userid,
                                   detail={"advisor": advisor, "reason": f"level:{new}"}, now=now)
            name = plain(customer.name or customer.remark or customer.external_userid, 40)
            ctx.outbox.app_text(ctx.settings.wecom.agent_id, advisor,
                                f"【新的专属客户】{name} 升到会员等级「{plain(new, 20)}」，"
                                "今后由你 1:1 跟进（专属顾问），TA的转人工工单会先交给你。"
                                f"发送 /whois {quoted(name)} 查看资料。")


async def least_busy_advisor(ctx: Ctx) -> str:
    """The active advisor (role advisor, else any active member) with the fewest customers."""
    members = await ctx.repos.staff.list(roles=("advisor",)) or await ctx.repos.staff.list()
    if not members:
        return ""
    ids = [m.userid for m in members]
    counts = dict((await ctx.session.execute(
        select(Customer.advisor_userid, func.count()).where(Customer.advisor_userid.in_(ids))
        .group_by(Customer.advisor_userid))).all())
    return min(ids, key=lambda userid: (counts.get(userid, 0), userid))
