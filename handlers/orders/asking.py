"""Is a customer asking about their own order? Pure rules over the text, so they are easy to test
and to explain.

A status question names the customer's own purchase ("我的快递到哪了", "我昨天买的还没发货") or
asks in a form only a buyer uses ("还没收到货", "下单三天了还没动静", "发货了吗"). A question about the
shop's policy ("你们一般多久发货", "下单后多久发货", "发什么快递") names neither and stays the
knowledge base's; a bare "多久发货" is the customer's order only when one was paid lately
(`asks_when_it_ships`). An order number is read when a status question names it ("我的订单 T1001
还没到"), when the message is one ("订单号是T1001", "订单号T1001 帮我查一下") or, right after the
persona asked for one, sends it alone ("T1001"); "订单123456能开发票吗" is no order question.
"""

from __future__ import annotations

import re

_GOODS = r"(订单|单子|快递|包裹|物流|货|东西|宝贝)"
_PARCEL = r"(订单|单子|快递|包裹|物流|货)"  # "这个东西在哪买" is not about a parcel
_SINCE = r"(一|两|二|三|四|五|六|七|八|九|十|几|好几|半个?|\d+)\s*(天|日|周|个?星期|个?礼拜)"
_END = r"([呢吗啊呀么嘛，,。!！?？\s]|$)"
# Chasing a parcel ("能帮我催一下吗", "帮我催催发货"), and shipping called slow ("你们这发货也太慢了吧"): only someone
# waiting for one says so.
_CHASE = r"催(一下|一催|下|催|单|发货|快递|物流|件)"
_SLOW = r"(发货|发快递|快递|物流|到货|送货)[^，,。？?]{0,4}(太|好|这么|那么|真|超|特别)慢"
# The customer's own purchase. "我想买的那个" or "我要下单的话" is not a purchase yet.
_OWN = re.compile(
    rf"我的{_GOODS}|我下的单|(收到|寄来|发来|到手)的|"
    r"我(?:(?!想|要|打算|准备|能|可以|会)[^，。,！!？?]){0,6}?(买|下单|拍|订|购|付款)的|"
    r"我(已经|都|昨天|前天|今天|上周|刚刚?)?(下单|下了单|拍了|买了|付款了|付了款)|"
    # a purchase with its time told is theirs without 我: "上个月买的面霜到了没", "前两天拍的什么时候到"
    r"(昨天|前天|今天|上周|上个?(星期|礼拜|月)|前几天|前两天|之前|那天|上次)[^，,。？?]{0,6}?(买|下单|下的单|拍|订|购|付款)的")
# Forms only someone waiting for a parcel uses: the order is implied.
_WAITING = re.compile(
    r"还没有?(发货|发出|寄出|到货|动身|更新|发快递)|"
    rf"{_CHASE}|{_SLOW}|"
    rf"还没有?(发|寄|到){_END}|"
    rf"没有?(收到|到手)({_GOODS}|{_END})|"
    rf"{_PARCEL}[^，,。？?]{{0,6}}(到哪|在哪|到了没|到了吗|怎么样了|什么情况|啥情况|进度|没动静|没动(?!过)|不动)|"
    r"(发货|发出|寄出|发)了(吗|没|么|嘛|不|没有)|"
    # asked A-not-A: "我自己那单到底发没发", "到没到啊"
    r"(?P<an>发货|发出|发|寄出|寄|到货|到)(没有?|了没)(?P=an)|"
    rf"查(一下|一查|下|查)?(我的)?{_PARCEL}|看(一下|下)?我的{_PARCEL}|订单(状态|进度|情况)|"
    r"物流(信息)?[^，,。]{0,4}(不|没)(更新|动)|物流(信息)?(呢|到哪|在哪)|"
    rf"(下单|下了单|拍了?|买了?|付款)(都|已经)?{_SINCE}了|(下单|付款|拍下|买)(都|已经)?(好|快|这么)?(几|多)?[天久]了")
# Asked about with the customer's own purchase named ("我买的面霜什么时候发货"); "我买的面霜多久能用完"
# or "…效果怎么样" is about the product.
_ASKING = re.compile(r"(什么时候|啥时候|多久|几天|哪天)(能|才能|可以)?(发|到|寄|收)|到哪|在哪|怎么样了|进度|动静|"
                     r"单号|发货|发了|发出|寄出|到了(吗|没)|到没|物流|收到(了)?(吗|没)")
# Not a shop order: a redeemed reward, a coupon, a reply from us.
_OTHER = re.compile(r"兑换|积分|优惠券|红包|验证码|回复|消息")
# "我的订单", "我的快递呢": the whole message names the order.
_BARE = re.compile(rf"(我的)?{_GOODS}(呢|啊|呀)?[?？]*")

_TOKEN = r"#?(?P<id>[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})"
_NAMED = re.compile(rf"(订单号|订单编号|订单|单号)\s*(是|为|[:：])?\s*{_TOKEN}")
# ... with a request to look it up: "订单号T20261124 赶紧给我查"
_LOOK_UP = (r"([，,\s]*(赶紧|快|快点|麻烦|请|帮忙)?(给我|帮我)?(查|查查|查一下|查下|看看|看一下|看下)(一下|下)?"
            r"(吧|啊|呀)?)?")
_ALONE = re.compile(rf"(我的)?(?P<named>订单号|订单编号|订单|单号)?\s*(是|为|[:：])?\s*{_TOKEN}\s*{_LOOK_UP}"
                    r"[。.!！~～]*")

def asks_about_order(text: str) -> bool:
    """A question or complaint about the status of the customer's own order."""
    text = text.strip()
    if not text:
        return False
    if _BARE.fullmatch(text) and "我的" in text:
        return True
    if _OTHER.search(text):
        return False
    if _WAITING.search(text):
        return True
    return bool(_OWN.search(text) and _ASKING.search(text))


# Where a purchase named as the customer's own is now: "我上周买的东西到哪了" (东西 alone is no parcel: _PARCEL).
_WHERE = re.compile(r"到哪|在哪(?!买|下单|领|看|查|兑)|到了(吗|没)|到没")


def waiting_for_parcel(text: str) -> bool:
    """The customer is waiting for a parcel that should have come ("还没收到货", "我的快递到哪了", "我上周买的东西
    到哪了"), not asking when one will ("我昨天拍的什么时候能发")."""
    text = text.strip()
    return asks_about_order(text) and bool(_WAITING.search(text) or _BARE.fullmatch(text)
                                           or (_OWN.search(text) and _WHERE.search(text)))


# Waiting too long, in the customer's words: slow ("太慢了", "拖了一个礼拜", "你们发的是蜗牛快递吗"), or days and
# weeks told ("五天了还没到", "等了一个星期", "今天都周二了还没到", "上周买的还没收到"); "昨天买的还没发货" is no
# complaint yet.
_LATE = re.compile(r"(太|好|这么|那么|真|超|特别)慢|慢死|慢得|蜗牛|乌龟|拖了|拖这么|这么久|那么久|"
                   r"等了?(好|这么|那么)久|都(周|星期|礼拜)[一二三四五六日天]了|"
                   r"(两|二|三|四|五|六|七|八|九|十|几|好几|\d+)\s*天(了|都)|等了(两|二|三|四|五|六|七|八|九|十|几|好几|\d+)\s*天|"
                   r"(一|两|二|三|几|好几|半个?|\d+)\s*(周|个?星期|个?礼拜)|"
                   # bought last week or last month and still waiting: "我上周买的面霜到现在还没收到"
                   r"上(周|个?星期|个?礼拜|个?月)[^，,。？?]{0,8}(买|下单|下的单|拍|付款|订)|"
                   # chased: "能帮我催一下吗"
                   rf"{_CHASE}")


def late_parcel(text: str) -> bool:
    """A complaint that the customer's own parcel is late ("你们这个快递也太慢了吧 五天了还没到"): an apology
    and a person, not the shipping policy."""
    return waiting_for_parcel(text) and _LATE.search(text) is not None


def names_own_purchase(text: str) -> bool:
    """The message is about something the customer bought ("我买的面霜收到是碎的")."""
    return bool(_OWN.search(text))


# A purchase named and nothing else: "上个月买的那个", "我上周买的面霜", "前两天拍的那个呢" (with `_OWN`:
# "我想买的那个" is no purchase). Which order it is, and what they want to know of it, is asked back
# (handlers/orders/chat.py).
_PURCHASE_ALONE = re.compile(r"(?:我)?(?:在你们(?:家|这)?)?[^，,。？?\s]{0,8}?(?:买|下单|下的单|拍|订|购|付款)的"
                             r"(?P<thing>[^\s，,。？?!！的了是很太吗没不]{0,8}?)(?:呢|啊|呀|哈|哦|嘛)?[?？。.~～!！]*")
# What names a purchase without naming its item: "那个", "那单", "东西".
GENERIC_THINGS = frozenset({"", "那个", "那款", "那瓶", "那罐", "那支", "那套", "那单", "那些", "东西", "宝贝", "那件",
                            "那个东西", "那些东西", "这个", "这单"})


def purchase_alone(text: str) -> str | None:
    """What the whole message names as a purchase of the customer's own, when it asks or tells nothing of it:
    "" or a word in GENERIC_THINGS for "上个月买的那个", the item as said for "我上周买的面霜" (the order's item must
    hold it: "我买的面霜很好用" tells of it); None when the message is no purchase alone."""
    text = text.strip()
    found = _PURCHASE_ALONE.fullmatch(text)
    if len(text) > 16 or found is None or _OWN.search(text) is None or _OTHER.search(text) is not None:
        return None
    return found["thing"]


def asks_of_parcel(text: str) -> bool:
    """A question of where a parcel is, or when it leaves or comes, naming no purchase ("到了吗", "什么时候发货"): about
    the order just named (handlers/orders/chat.py), else the shop's policy."""
    return bool(_ASKING.search(text) or _WAITING.search(text)) and _OTHER.search(text) is None


# A shipping question asked of the shop in general or of a purchase still to come ("你们一般多久发货", "下单后多久发货",
# "现在买的话几天到", "想买个面霜 多久能到"): the knowledge base's policy, whatever the customer bought before.
_GENERAL = re.compile(r"一般|通常|平时|平常|正常|如果|的话|想买|要买|再买|再拍|准备买|打算买|下单后|拍下|付款后|"
                      r"买了以后|以后|之后|现在(买|拍|下单)|今天(买|拍|下单)|预售|现货|新品|国外|海外|偏远|新疆|西藏")


def asks_when_it_ships(text: str) -> bool:
    """A short question of when a parcel leaves or comes, naming neither an order nor a purchase nor a general rule
    ("什么时候发货", "多久能到呀", "啥时候发"): from a customer with an order on its way it is about that order
    (handlers/orders/chat.py), from anyone else the shop's policy."""
    text = text.strip()
    return len(text) <= 16 and asks_of_parcel(text) and _GENERAL.search(text) is None


# When a purchase was made, told ("上个月买的那个"): the order paid then is the one meant.
_BOUGHT_WHEN = re.compile(r"(昨天|前天|今天|这周|这个?(?:星期|礼拜)|上周|上个?(?:星期|礼拜)|这个月|上个?月)"
                          r"[^，,。？?]{0,6}?(买|下单|下的单|拍|订|购|付款)的")


def bought_when(text: str) -> str:
    """The time a purchase is told to have been made ("上个月", "昨天"), as written; "" when none is told."""
    found = _BOUGHT_WHEN.search(text)
    return found[1] if found else ""


def _order_id(token: str) -> str | None:
    """An order id as shops send them (README "Orders in"), with at least one digit."""
    return token if any(c.isdigit() for c in token) and len(token) >= 3 else None


def named_order(text: str) -> str | None:
    """The order id a status question names ("我的订单 20260301001 还没到")."""
    match = _NAMED.search(text)
    return _order_id(match["id"]) if match else None


def order_alone(text: str) -> tuple[str | None, bool]:
    """The order id that is the whole message ("T1001", "订单号是T1001"), and whether the customer
    said it is one ("订单号…"); a bare "T1001" is read only when the persona asked for a number."""
    match = _ALONE.fullmatch(text.strip())
    return (_order_id(match["id"]), bool(match["named"])) if match else (None, False)
