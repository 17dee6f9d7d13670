"""Anger at us, answered in context: "你们这效率也太低了吧 我很生气" right after "我上周买的面霜到现在还没发货"
is about that parcel. Asking "是遇到什么问题了吗" then would show the persona was not listening: when the
customer has told what the matter is — in the angry message itself ("一个礼拜了还没动静", "回复这么慢") or in
their message just before, less than FOLLOWUP_MINUTES ago — `chat.angry` is said in its `told` phrasings
(persona/model.py SITUATIONS): an apology for it and a person on offer, no question.
"""

from __future__ import annotations

import re
from datetime import timedelta

from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, kf_history
from handlers.replies.smalltalk import classify
from handlers.services import Ctx
from persona.heard import heard
from storage.models import Customer

# What went wrong, in customers' words: a parcel not sent or not come, goods broken, wrong or missing,
# a reaction, a refund, slow service, a wait, a complaint.
_MATTER = re.compile(r"没(有)?(发货|发|到|收到|回复|回|人理|人回|人管|动静|反应|消息|效果|用)|还没|还不(发|到|回)|"
                     r"坏了|破了|碎了|裂了|漏了|压扁|少了|缺了|错了|发错|不对|过敏|烂脸|退款|退货|换货|质量|假货|"
                     r"慢|等了|半天|投诉|问题|怎么回事|什么情况|单号|(效果|作用|变化)(一点)?(都|也)(没有|没|不大)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
TOLD_HAN = 4  # a statement of fewer Chinese characters ("？", "喂") tells no matter


def names_matter(text: str) -> bool:
    """The text tells what went wrong ("我上周买的面霜到现在还没发货", "瓶子裂了")."""
    return _MATTER.search(text) is not None


async def matter_told(ctx: Ctx, customer: Customer, msgid: str, text: str) -> bool:
    """Whether the customer angry in `text` (message `msgid`) has told what the matter is: in `text`
    itself, or in their message just before it (less than FOLLOWUP_MINUTES ago), when that one
    names a matter or is no small talk ("我上周买的面霜到现在还没发货", not "你好" or "好的")."""
    if names_matter(text):
        return True
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    said = next((m for m in reversed(history) if m.direction == "in" and not m.staff_userid), None)
    if said is None or ctx.clock.now() - said.created_at > timedelta(minutes=FOLLOWUP_MINUTES):
        return False
    before = heard(said.text.strip())
    return names_matter(before) or (classify(before) is None and len(_HAN.findall(before)) >= TOLD_HAN)
