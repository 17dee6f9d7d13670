"""The classic refund scam, as its target tells it: someone claiming to be the shop's customer service
("刚才有人打电话说是柚见客服", "对方自称官方售后") offers a refund and asks to be added on QQ or WeChat,
to click a link, to give a verification code or to pay. The customer needs the persona's warning
(escalation.scam: we never ask for that) and a person, never the returns answer first: that would
help the scammer.

The shop's name is the operator's, so the claim is read by its shape (说是 / 自称 … 客服 / 官方 / 售后)
rather than by a brand word in `[escalation] sensitive_topics`; it files the report under the first
configured scam topic the sensitive topics still have (an operator who removed the topic is warned
about nothing). "我要退款" names no impostor: a plain refund.
"""

from __future__ import annotations

import re
from typing import Collection

# Someone else claiming to be us: "说是柚见客服", "自称是你们官方的", "冒充你们售后" ("客服说是明天发" is not).
_CLAIM = re.compile(r"(说是|自称|说他是|说她是|说自己是|冒充|假装是|假冒)[^，,。；;!！?？\s]{0,8}"
                    r"(客服|官方|工作人员|售后|店家|商家|店铺|旗舰店)")
# What the warning is for: the money ("让我转账", "发了个退款链接") or the scammer's next step off this
# chat ("让我加他QQ", "下载个app", "把验证码发给他"). "骗子" alone, or a fake parcel, is handed off without it.
_MONEY = re.compile(r"转账|汇款|打钱|付款|转钱|扫码|链接|验证码|退款|理赔|赔偿|押金|保证金|刷单|钱")
_ASK = re.compile(r"加(一下)?(他|她|他们|她们|对方)?(的)?(qq|微信|vx|wx|v信|好友|群|钉钉)|"
                  r"下载|app|屏幕共享|共享屏幕|点(一下|开)?(那个)?(链接|网址)", re.IGNORECASE)


def impostor_topic(text: str, topics: Collection[str], scam_topics: Collection[str]) -> str | None:
    """The scam topic a report of someone claiming to be us is filed under, or None."""
    if _CLAIM.search(text) is None:
        return None
    return next((topic for topic in scam_topics if topic in topics), None)


def warns(text: str) -> bool:
    """A scam report (already filed under a scam topic) that names money or the scammer's next step."""
    return _MONEY.search(text) is not None or _ASK.search(text) is not None
