"""A customer who decides to buy ("那我先下单试试", "那我下单了", "行 我先买一瓶试试") is wished well and told to come
back with how it goes, not chatted at ("想聊什么都可以"); "不行再退" on the way gets the knowledge base's returns
entry in the same line, so the plan rests on the shop's real policy, never on a promise the persona makes up."""

from __future__ import annotations

import re

from handlers.replies.voice import Say
from handlers.services import Ctx
from persona.matcher import entry_about

# The decision, as a statement: "那我先下单试试", "我去拍了", "好的 那就买这个了", "冲了"; never "我下单了怎么还没发货"
# (a question or a complaint: not a statement when it reaches here) nor "我想买面霜" (a wish: shopping.py).
_ACT = r"(下单|下个单|拍|拍下|拍一|买|入手|剁手)(了|啦|吧|一个|一瓶|一支|一套|一盒|试试|试一试|看看|这个)"
# a decision needs a word of now ("先", "就", "去") or "那我"; "我买了你们的面霜 挺好用" reports one made long ago
_BUYS = re.compile(rf"(就|先|这就|马上|立马|现在|去){_ACT}|(^|\s)(那我|那)(就)?{_ACT}|"
                   r"^(那|好|行)?(就)?(冲|冲了|冲鸭|下单|拍了|入了)$")
# a wish still to be helped with (shopping.py), or a purchase settled for with regret ("那算了 我就买一个凑不够")
_WISH = re.compile(r"想(要)?(买|入手)|打算(买|入手)|准备(买|入手)|算了|凑不(够|齐|到)")
# Returning if it does not work out: "不行再退", "不合适就退", "用不惯的话退掉".
_RETURN_IF = re.compile(r"(不行|不合适|不喜欢|不好用|用不惯|不满意)(的话)?(我)?(再|就)?(退|退货|退掉|退了|退回)")


def buys(text: str) -> bool:
    """The customer says they are buying now (a statement, not a wish still to be helped with)."""
    return _BUYS.search(text) is not None and _WISH.search(text) is None


async def buying_say(ctx: Ctx, text: str) -> Say:
    """Good wishes for the purchase; with "不行再退", the knowledge base's returns entry said with them (none
    in the base: the wishes alone, no policy made up)."""
    if _RETURN_IF.search(text):
        kb = ctx.services.knowledge
        entry = entry_about(kb.entries, await kb.rank(text, len(kb.entries)), "returns")
        if entry is not None:
            return Say("chat.buying_returns", {"answer": entry.answer})
    return Say("chat.buying")
