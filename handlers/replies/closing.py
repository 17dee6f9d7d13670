"""Closings: "算了不用了，再见", "我先走了，下次再聊", "算了，不用了", "不需要代理". The customer is winding
down, or declines what was named, but the sentence model of feelings.py hears anger in such lines
and the persona would apologise to someone who is only leaving. A message made only of closing
words gets an ok (chat.ack), one that ends in a goodbye gets a goodbye (chat.bye / chat.goodnight).
Anything else in it ("气死我了，再见") leaves the message to the usual rules.
"""

from __future__ import annotations

import re

from handlers.escalation.rules import is_question
from handlers.replies.smalltalk import Intent, classify

_CLAUSES = re.compile(r"[，,。.!！~～\s]+")
_CLOSING = re.compile(r"^(那|那就|好吧|好的|好|行|嗯|哦|算了|不用了|没事了|没事|先这样|就这样|先这样吧|就这样吧|"
                      r"我先走了|先走了|我先下了|我去忙了|去忙了|不打扰了|不问了|不买了|下次吧|再说吧|先不用了|暂时不用了|"
                      r"先不了|先不买了|不聊了|不聊啦|先不聊了)+"
                      r"[吧啦哈呀了]?$")
# Declining what was offered or named: "不需要代理", "暂时不需要", "不用推荐了" (not "不用的话能退吗").
_DECLINE = re.compile(r"^(我|我们)?(暂时|目前|现在|先|真的|都)?(不需要|不用|用不着|没兴趣|不感兴趣|不考虑)(了)?"
                      r"[^的吗么嘛呢?？]{0,6}?[吧啦哈呀了]?$")
# Not buying it after all: "那我先不买美白的了", "那就先不要了" (not "不买的话能退吗").
_NOT_BUYING = re.compile(r"^(那|那我|我)?(就|先|暂时|还是|目前)?(先)?不(买|要|入|拿)(了)?[^吗么嘛呢?？话]{0,6}(了|啦)$")
# Leaving for now, to come back: "晚点再来找你玩", "回头再来问", "我去问问医生", "我先去忙".
_FAREWELL = re.compile(r"^(下次再聊|改天聊|改天再聊|回头再聊|有空再聊|下次见|再会|"
                       r"(我)?(晚点|晚些|回头|改天|下次|有空|明天|过两天)(再)?(来|聊|问|找你|来找你|来问)\S{0,4}|"
                       r"(那)?(我)?(先)?去(问问|问一下|看看|想想|考虑|商量|忙|上班|上课|做饭|吃饭|睡觉|洗澡|接孩子|开会)\S{0,6}|"
                       r"(上班|上课|做饭|吃饭|睡觉|开会)去了)[吧啦哈呀了]?$")

# Found what the persona pointed to ("哦哦找到了 在底下那个小字 好嘞"): an ok, never a product idea to thank for.
_FOUND = re.compile(r"^(哦+|噢+|喔+|啊+|嗯+|好的?|行)?(我)?(找到|看到|看见|找着|瞧见)(了|啦)(哈|呀|啊)?$")
_WHERE = re.compile(r"^(原来|就)?(是)?(在|印在|写在)[^吗么嘛呢]{1,12}$")


def found_it(text: str) -> bool:
    """The customer found it: a first clause saying so, the others only where it was or an ok."""
    first, *rest = [p for p in _CLAUSES.split(text.strip().lower()) if p] or [""]
    return (not is_question(text) and bool(_FOUND.match(first))
            and all(_WHERE.match(p) or _CLOSING.match(p) or classify(p) in (Intent.ACK, Intent.THANKS) for p in rest))


def closing(text: str) -> Intent | None:
    """BYE or GOODNIGHT when the message ends in a goodbye after closing words, ACK when it is only
    closing words, None otherwise (a question, or anything with more to it)."""
    parts = [p for p in _CLAUSES.split(text.strip().lower()) if p]
    if not parts or "?" in text or "？" in text:
        return None
    *before, last = parts
    if not all(_CLOSING.match(p) or _DECLINE.match(p) or classify(p) in (Intent.ACK, Intent.THANKS) for p in before):
        return None
    said = classify(last)
    if said in (Intent.BYE, Intent.GOODNIGHT):
        return said
    if _FAREWELL.match(last):
        return Intent.BYE
    return Intent.ACK if _CLOSING.match(last) or _DECLINE.match(last) or _NOT_BUYING.match(last) else None
