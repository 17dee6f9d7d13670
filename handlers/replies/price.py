"""Price objections: "有点贵啊", "太贵了吧", "能便宜点吗", "有没有优惠".

The knowledge base answers them when sure (an entry about coupons, say). When it is not, the
persona answers from the knowledge base's own discount entry when there is one (an entry whose
phrasings name the discount concept: 优惠, 折扣, 券, 满减 ...; `reply.price_faq`, which acknowledges
the concern first), unless that was its answer a moment ago; else it acknowledges the concern with
the value and the persona's current campaign when `[facts] campaign` is set
(`reply.price_campaign`: {offer} = the campaign and its coupon as configured), else without
(`reply.price`), and offers a person. Never a discount nobody configured.
Bargaining ("能便宜点吗": the escalation rules' 议价 topic) still goes to a person: the discount
entry's answer comes first, as any answer does.
"""

from __future__ import annotations

import re

from handlers.services import Ctx
from persona.faq import FaqEntry, FaqMatch
from persona.matcher import entry_about
from storage.models import Customer

_OBJECTION = re.compile(r"(?<![宝富尊高])贵(?![店司宾州阳姓重公方府厂社])"  # not 贵店, 贵公司, 宝贵, 贵宾 ...
                        r"|便宜|优惠|打折|折扣|降价|划算|砍价|少点|让利|最低价|活动价"
                        # a small budget: "我是学生 预算不多 有平价点的吗", "学生党预算就一百出头"
                        r"|平价|实惠|性价比|预算(不多|不够|有限|少|紧|就|只有|才|只)")


_PRICE = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块|rmb|RMB)|[¥￥]\s*\d|免费|价格|原价|到手价")


_ASKS_PRICE = re.compile(r"多少钱|什么价|啥价|几块钱|价格(是|大概)?多少|价位|怎么卖|卖多少|"
                         r"多少一(瓶|盒|支|个|套|件|杯|斤|包)|"
                         # whether it reaches a coupon's threshold: "那我就买一瓶面霜够199不"
                         r"够(不够)?\d+(块|元)?(不|吗|么|没|嘛)?$")


def asks_price(text: str) -> bool:
    """The customer asks what something costs ("多少钱", "什么价", "价格多少"; not "价格保护多少天")."""
    return _ASKS_PRICE.search(text) is not None


def gives_price(entry: FaqEntry) -> bool:
    """The entry's answer names a price or what is free: only then is it an answer to "多少钱"."""
    return _PRICE.search(entry.answer) is not None


def price_talk(text: str) -> bool:
    """The customer finds it expensive or asks for a better price."""
    return bool(_OBJECTION.search(text))


# A deal an answer gives in figures ("企业采购 20 盒起打 9 折", "满 199 减 30", "第二件半价"): a discount entry of a
# base whose phrasings name none ("企业团购"), for "公司采购一批 有优惠吗" rather than the persona's campaign. Only
# for a discount asked about, among the few best ranked entries: "太贵了吧" is no question of the pool's "8 折".
_DEAL = re.compile(r"\d+(?:\.\d+)?\s*折|满\s*\d+\s*(?:元|块)?\s*减|减\s*\d+|买一送一|半价")
_ASKS_DEAL = re.compile(r"(有|有没有|能|能不能|可以|可不可以|会|会不会)[^，,。？?\s]{0,4}"
                        r"(优惠|折扣|打折|便宜|活动|福利)")
DEAL_RANKED = 3


async def price_answer(ctx: Ctx, text: str, just_answered: frozenset[str]) -> FaqMatch | None:
    """The discount entry to answer a price objection with, or None; None too when it was the answer
    a moment ago ("有点贵啊" then "太贵了吧"): the second objection gets the campaign and a person. With no entry
    whose phrasings name the discount, a discount asked about ("有优惠吗": _ASKS_DEAL) gets the best of the
    DEAL_RANKED best ranked entries whose answer gives a deal in figures (_DEAL)."""
    kb = ctx.services.knowledge
    ranked = await kb.rank(text, len(kb.entries))
    entry = entry_about(kb.entries, ranked, "discount")
    if entry is None and _ASKS_DEAL.search(text):
        entry = next((m.entry for m in ranked[:DEAL_RANKED] if _DEAL.search(m.entry.answer)), None)
    return FaqMatch(entry, 0.0) if entry is not None and entry.id not in just_answered else None


async def acknowledge_price(ctx: Ctx, customer: Customer) -> None:
    """No discount entry: the concern acknowledged, the campaign when one is configured, a person offered."""
    campaign, coupon = ctx.persona.facts.get("campaign", ""), ctx.persona.facts.get("coupon", "")
    if campaign:
        await ctx.say("reply.price_campaign", name=customer.name, offer=f"{campaign}，{coupon}" if coupon else campaign)
    else:
        await ctx.say("reply.price", name=customer.name)
