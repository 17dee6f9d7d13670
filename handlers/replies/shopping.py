"""Shopping intent without a question: "我想给闺蜜买个生日礼物", "想买个面霜", "打算入手一支口红"; or with a
question that asks for a pick: "我想给我妈买个礼物，有推荐吗", "想买个面霜，哪款好".

Not small talk and not a question a colleague must answer: the customer is about to buy. The
knowledge base answers when one of its entries is sure (routes.py); otherwise the persona asks back
what it needs to recommend (`reply.shopping`: who it is for, the skin type, the budget), never "I'll
ask a colleague" and never a bare "收到～".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from handlers.escalation.rules import is_question
from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, kf_history
from handlers.replies.offtopic import everyday
from handlers.replies.smalltalk import laughing, trouble_said
from handlers.services import Ctx
from persona.faq import FaqEntry
from persona.followup import FOR_WHOM, clearly_named, spoken, topics
from persona.matcher import EXCLUSIVE, concepts, kinds
from persona.wording import plain
from storage.models import Customer, Message

# Torn between two buys: "你说我是买包还是买护肤品", "入手面霜还是精华" (a wish, and asking for a pick).
_EITHER = r"(买|入手|挑|选)[^，,。！!？?]{1,8}?还是"
# Wanting to buy, pick or give something: 想/打算/准备 ... 买/入手/挑, 给/帮 someone 买/挑/选, a gift.
_WANT = re.compile(rf"{_EITHER}|(想|想要|要|打算|准备|计划|考虑|纠结)(给|帮|替)?[^，,。！!]{{0,8}}?"
                   r"(买|入手|入坑|挑|选|囤|购|送)|"
                   r"^(我)?(给|帮|替)[^，,。！!]{1,8}?(买|挑|选|送)|"
                   r"(买|挑|选|送|准备)[^，,。！!]{0,8}礼物|"
                   # a wish for better skin, which wants a pick: "想在婚礼前把皮肤养好一点", "打算好好保养一下"
                   r"(想|想要|打算|准备|计划)[^，,。！!问了]{0,10}?(养好|保养|调理|改善)|"
                   # something else this time: "上次买的面霜用完了 这次想试试别的"
                   r"(想|想要|打算|准备)(试试|试一下|试一试|换换|换个|换一个|换)(别的|其他|其它|新的)(?!快递|地址|颜色|包装)|"
                   r"(想|想要|打算|准备)换(一款|款)|"
                   # looking for one: "想找个温和点的", "想找款适合油皮的面霜" (never "想找个人聊聊", "想找个客服")
                   r"(想|想要|打算|准备)找(个|一个|一款|款|点|些|一些)(?!人|你|客服|同事|顾问)[^，,。！!？?]{0,8}?"
                   r"(的|产品|面霜|精华|乳液|护肤品|洗面奶|防晒)|"
                   # what to give someone: "送男朋友什么好", "送婆婆啥合适"
                   r"^(那|那么)?(我)?送(给)?[^，,。！!？?\s]{1,6}?(什么|啥)(好|合适|比较好|礼物)")
# Not about to buy: a purchase made, refused or undone ("我上周买了", "不想买了", "想退货").
_NOT = re.compile(r"不想|不要|不打算|不买|别买|买了|买过|已经|退|换货|取消|送货|送到|送达|配送|发货")


def not_bought(text: str) -> bool:
    """No purchase made, refused or undone in the words ("我上周买了", "不想买了", "想退货")."""
    return _NOT.search(text) is None
# The same again, not a new pick ("乳液用完了 想回购", "想再囤两瓶"): nothing to ask about their skin.
_AGAIN = re.compile(r"回购|再买|再来(一|两|几)?(瓶|罐|支|套|个)|再囤|再入|还想买|还要买|再下(一)?单")


# Their product nearly used up, told: "上个月在你们这买的保湿霜快用完了" — a returning customer, welcomed back.
# "xswl 我妈偷偷用完了" (someone else's doing, told laughing) names no purchase: a light line, not a welcome back.
_RUNNING_OUT = re.compile(r"(买的|霜|精华|面膜|乳|水|油|瓶|罐|支|套)[^，,。]{0,4}"
                          r"(?<![没不])(用完|用光|见底|空瓶|用没)(了|啦)")


def running_out(text: str) -> bool:
    """What they bought is nearly used up, told with nothing asked ("保湿霜快用完了")."""
    return (_RUNNING_OUT.search(text) is not None and not is_question(text) and not laughing(text)
            # "…用完了 这次想试试别的": a wish for another, not a welcome back; "…用完了 想回购" is one
            and (_WANT.search(text) is None or _AGAIN.search(text) is not None))


# Asking for a pick rather than a fact: 推荐, 哪款, 哪个好, 买什么, 送什么 (a price or a delivery question
# about the wished-for thing stays a question for the knowledge base or a colleague).
_PICK = re.compile(rf"{_EITHER}|推荐|哪款|哪个好|哪种好|哪个合适|选哪|买哪|(买|送)(点|些)?(什么|啥)|"
                   r"挑哪|什么好|挑啥|选啥|啥好|(什么|啥)(比较)?合适|"
                   # a bakery's or a tea shop's: "你们家啥面包好吃", "哪款茶好喝"
                   r"(什么|啥|哪款|哪种|哪个)[^，,。？?\s]{0,4}(好吃|好喝)|"
                   # knowing nothing about it is asking for a pick: "女朋友生日想送护肤品 我啥也不懂"
                   r"(啥|什么)(也|都)不懂|不知道(该)?(买|送|选|挑)(什么|啥|哪)|求助|求推荐")


def asks_for_a_pick(text: str) -> bool:
    """A pick asked for, or the persona's own pick ("小柚你自己用哪个啊": _YOURS)."""
    return _PICK.search(text) is not None or _YOURS.search(text) is not None


# Asking what suits the customer themself: "有啥适合我的", "我该用哪个".
_SUITS = re.compile(r"适合我|我适合|我该用|我用什么|我用啥|我用哪")


def asks_for_their_pick(text: str) -> bool:
    """A pick for the customer themself ("有什么产品推荐吗", "推荐个面霜呗", "有啥适合我的"), not for
    someone they name ("给我妈挑个礼物")."""
    return (asks_for_a_pick(text) or _SUITS.search(text) is not None) and not recipient(text)


# Asking for a pick of anything rather than which of something named ("哪种好" right after a question is more of it).
_ANY = re.compile(r"推荐|(什么|啥)[^，,。？?\s]{0,4}(好用|值得|适合|好)|适合我|我适合|好物")
# A pick declined or given, not asked: "不用推荐了", "已经推荐给朋友了", "我推荐给闺蜜了".
_NO_PICK = re.compile(r"不用|不需要|别推|不必|算了|推荐给(?!我)|推荐了|推荐过|"
                      # a product referred to by who picked it ("昨天你推荐的那个面霜 孕妇能用吗"), not "你推荐的是哪款"
                      r"(你|您|你们|小柚|客服|之前|上次|昨天|前天|刚才|刚刚)(之前|上次|昨天|前天|刚才|刚刚)?(给我|跟我|帮我)?"
                      r"推荐的(?!是|有|吗|呢|哪|什么|啥)")


def asks_for_any_pick(text: str) -> bool:
    """A pick for the customer themself of anything we sell, with nothing about them told ("你们家有什么好用的推荐吗",
    "有啥推荐的", "推荐一下你们家的东西呗"): what a recommendation needs is asked back (`reply.shopping`), not "I
    don't know". A pick that names a kind ("干皮有啥推荐的"), a shop concept other than how well things work
    ("快递推荐哪个", "有什么活动推荐吗") or an everyday topic ("推荐个好看的剧呗": offtopic.py) is not."""
    return (len(text) <= 30 and _ANY.search(text) is not None and asks_for_their_pick(text)
            and _NOT.search(text) is None and _NO_PICK.search(text) is None and not kinds(text)
            and topics(plain(text)) <= {"effect"} and not everyday(text))


# A pick asked in the customer's own words, naming whom or what it is to suit: "有适合学生党的吗", "有没有适合油皮的",
# "有什么适合三十岁的吗", "敏感肌有能用的吗", "有合适的吗", "学生党有推荐吗" (the sandbox of 2026-12-05 promised a
# colleague).
_SUITED = re.compile(r"有(没有|没)?(什么|啥|哪些|哪款|点|些)?(比较|特别)?(适合|合适|能用|可以用)"
                     r"[^，,。？?!！\s]{0,8}?的|"
                     r"(适合|合适|能用|可以用)[^，,。？?!！\s]{0,8}?的(有吗|有没有|有哪些|有啥|有什么)|"
                     r"有(没有|没)?(什么|啥)?(好的)?推荐")


# What a pick may be asked for besides how well it works and its price: a trouble ("痘痘肌"), whom it is for
# ("孕妇", "宝宝": persona/followup.py FOR_WHOM).
_SUITS_TOPICS = frozenset({"effect", "price", "acne", *FOR_WHOM})
# How a gift comes packed ("有合适的礼盒吗", "有适合送人的包装吗"): a question of its own, no pick of what suits a skin.
_PACKING = re.compile(r"礼盒|包装|盒子|袋子|手提袋|贺卡")


def asks_suited(text: str) -> bool:
    """A pick asked as whether there is something to suit someone or something ("有适合学生党的吗 预算一百以内",
    "有适合夏天用的吗 我是油皮", "给我妈买 她五十多岁了 有合适的吗"): a wish, asked back only what is still missing; not
    of a shop concept ("有能用的优惠券吗", "有适合的快递吗"), an everyday topic ("有适合情侣去的餐厅吗"), nor a pick
    declined or a purchase made; nor whether we have a kind of product for it ("有适合干皮的洗面奶吗": the knowledge
    base answers if it names one, else a person, handlers/replies/asked.py `names_sold`); nor one that told the skin
    type and its trouble ("我皮肤比较敏感 换季脸就痒 有推荐的吗"): said back in the promise, a person picks."""
    text = text.strip()
    return (len(text) <= 40 and _SUITED.search(text) is not None and _NOT.search(text) is None
            and _NO_PICK.search(text) is None and not clearly_named(plain(text)) - _SUITS_TOPICS
            and _PACKING.search(text) is None and _PRODUCTS.search(text) is None
            and not everyday(re.sub(_PEOPLE, "", text)) and not (skin_named(text) and trouble_said(text)))


# The persona's own pick: "小柚你自己最喜欢哪款", "你最推荐哪个", "你觉得哪款最好用", "你自己用哪个" — a pick
# for the customer, asked of the persona; what suits them is asked back.
_YOURS = re.compile(r"(你|您|小柚)(自己)?(最)?(喜欢|爱用|推荐|常用|在用|用的是|会选|会买)(的是)?(哪|什么|啥)|"
                    r"(你|您|小柚)自己(会)?用(的)?(是)?哪|"
                    r"(你|您|小柚)(觉得|说|看)(哪款|哪个|哪种|哪瓶)(最|比较)?(好|好用|合适|值得)")


def wants_to_buy(text: str) -> bool:
    """The customer says they want to buy (or pick, or give) something, or asks the persona's own pick."""
    text = text.strip()
    return (bool(text) and len(text) <= 40 and (_WANT.search(text) is not None or _YOURS.search(text) is not None
                                                or _ALSO_FOR.search(text) is not None
                                                or _GIFT_FOR.search(text) is not None)  # "送闺蜜 她是敏感肌"
            and _NOT.search(text) is None and _AGAIN.search(text) is None)


# A pick asked by budget, naming no product: "两百块钱能买到什么", "预算五百能买啥", "100块以内有什么推荐".
_BUDGET = re.compile(r"预算|[一二两三四五六七八九十百千万\d]+\s*(块|元|百|千|以内|左右|以下)")
# a budget told in a word: "有没有适合学生党的平价护肤品" (the sandbox got the coupon alone)
_BUDGET_WORD = re.compile(r"平价|实惠|性价比")
_BUYS = re.compile(r"买(到|得到|得了)?(什么|啥|哪些|点啥|哪个|哪款)|(有|能选|可以选)(什么|啥|哪些)|推荐|"
                   r"(什么|啥)(好|合适)")


def budget_told(text: str) -> bool:
    """The wish tells the budget ("想给闺蜜买个礼物 预算两百", "三百左右"): `reply.shopping_for`'s "budgeted"
    phrasings ask whom it is for what they are like only."""
    return _BUDGET.search(text) is not None or _BUDGET_WORD.search(text) is not None


def budget_pick(text: str) -> bool:
    """A pick asked of a budget alone ("两百块钱能买到什么"): shopping advice, the skin type asked next (the budget is
    told: `reply.shopping_kind`), never where to buy."""
    text = text.strip()
    return (len(text) <= 30 and _BUDGET.search(text) is not None and _BUYS.search(text) is not None
            and _NOT.search(text) is None and not kinds(text) and not topics(plain(text)) - {"effect", "price"})


# Whom a wish is for: "给我妈挑个礼物", "想送闺蜜一套护肤品", "帮女朋友选支口红"; none in "帮我推荐点护肤品呗",
# "帮我挑个礼物", "帮我看看买什么好": what comes after 帮我 there is the help asked (_HELP), not whom it is for.
_HELP = r"推荐|介绍|看|挑|选|找|问|搭|配|整|弄|搞|参谋|出主意|想想"
_FOR = re.compile(rf"(?:给|帮|替|送)(?:我家|我的?)?(?P<who>(?!我|{_HELP})[\u4e00-\u9fff]{{1,4}}?)"
                  r"(?:买|挑|选|送|入手|准备|一|个|套|支|瓶|点|些|礼物)")
_CALLED = {"妈": "妈妈", "老妈": "妈妈", "妈咪": "妈妈", "爸": "爸爸", "老爸": "爸爸", "婆婆": "婆婆", "对象": "对象"}
_NOT_WHO = frozenset({"自己", "大家", "你们", "他们", "人"})


# Whom a gift is asked for: "送男朋友什么好", "想送给婆婆啥合适".
_GIVEN_TO = re.compile(r"^(?:那|那么)?(?:我)?(?:想|想要|打算|准备)?送(?:给)?(?:我的?|我家)?"
                       r"(?P<who>(?!的)[\u4e00-\u9fff]{1,4}?)(?:什么|啥)")


# Whom it is to suit: "适合我妈用吗", "我老公能用吗" (sandbox, 2026-12-04: asked "你是什么肤质" of a mother's cream).
# Family, partners, friends and whole age groups (长辈, 老人家, 小孩: the issue #13 sandbox, "想给长辈买个护肤品").
_PEOPLE = (r"(?P<who>妈|老妈|妈妈|爸|老爸|爸爸|爸妈|父母|老公|老婆|媳妇|男朋友|男友|女朋友|女友|对象|闺蜜|"
           r"婆婆|公公|公婆|岳母|丈母娘|岳父|老丈人|长辈|老人家|老年人|老人|爷爷|奶奶|外婆|姥姥|外公|姥爷|孩子|小孩子|小孩|儿童|"
           r"宝宝|女儿|儿子|姐姐|妹妹|哥哥|弟弟)")
_USED_BY = re.compile(rf"(?:我的?|我家){_PEOPLE}(?:用|能用|可以用|适合|合适)")
# Whom a pick is for, told first with what they are like: "我妈五十多了 用什么好", "我老公皮肤很油 有啥推荐"
# (sandbox, 2026-12-04: asked "你是什么肤质" as if for the customer).
_DESCRIBED = re.compile(rf"^(?:那)?(?:我的?|我家){_PEOPLE}(?:她|他)?(?:的)?(?:是|今年|已经|都|快)?"
                        r"(?:[二三四五六七八九]十|[2-9]\d|皮肤|脸|肤质|干皮|油皮|混合皮|混油|混干|敏感肌)")


# Someone else's turn, after the customer's own pick: "给我妈也看看 她皮肤很干", "帮我老公也挑挑" (sandbox, 2026-12-05:
# the plain chat line).
_ALSO_FOR = re.compile(rf"^(?:那|那么)?(?:再|也)?(?:给|帮|替)(?:我的?|我家)?{_PEOPLE}(?:也|再)?"
                       r"(?:看看|看一下|挑挑|挑一下|选选|选一下|推荐推荐|推荐一下|推荐个|推荐点)")


# A gift for someone named, told in a clause of its own: "送闺蜜 她是敏感肌 预算两百", "预算三百 想送闺蜜 她油皮",
# "我老婆生日 想送她护肤品" (whose birthday it is).
_GIFT_FOR = re.compile(rf"(?:^|[\s，,。；;])(?:我)?(?:想|要|打算|准备)?送(?:给)?(?:我的?|我家)?{_PEOPLE}"
                       r"(?=$|[\s，,。；;!！]|她|他|的|一)")
_BIRTHDAY = re.compile(rf"(?:^|[\s，,。；;])(?:我的?|我家)?{_PEOPLE}(?:的)?(?:生日|过生日|纪念日)")
# The one it is for, named as its user: "男朋友用的话有推荐吗", "给宝宝用的有吗", "有没有老人能用的" (not "我妈用的是
# 哪款", "我妈用了说好": what she uses).
_THEIR_USE = re.compile(rf"{_PEOPLE}(?:用的话|用的(?=$|[吗呢呀啊有推\s，,？?])|能用的|可以用的|专用)")
_PRONOUNS = frozenset({"她", "他", "她们", "他们", "ta", "TA"})
# Whom a pronoun later in the message stands for: "老公皮肤特别油 给他买点啥好", "闺蜜下个月生日 想送她点护肤品".
# (not one called by name before a pause: "宝宝 我想给她买个面霜" speaks to the persona)
_OPENS_WITH = re.compile(rf"^(?:那)?(?:我的?|我家)?{_PEOPLE}(?![\s，,。!！~～])")


def recipient(text: str) -> str:
    """Whom the wish is for, as the persona would call them ("我妈" → "妈妈"); "" when not said. One named beats
    a pronoun: "婆婆生日快到了 想送她个面霜" is for 婆婆, "老公皮肤特别油 给他买点啥好" for 老公."""
    found = [m["who"] for m in (_ALSO_FOR.search(text), _FOR.search(text), _GIVEN_TO.search(text),
                                _GIFT_FOR.search(text), _BIRTHDAY.search(text), _THEIR_USE.search(text))
             if m is not None and m["who"] not in _NOT_WHO]
    if found and found[0] in _PRONOUNS and (named := _OPENS_WITH.search(text.strip())):
        found.insert(0, named["who"])
    who = next((w for w in found if w not in _PRONOUNS), found[0] if found else "")
    return _CALLED.get(who, who)


# A wish for someone not named: a gift, or giving ("想买个礼物", "想送点东西", "生日快到了 想买点啥"); or for make-up,
# which no skin trouble decides ("打算入手一支口红").
_NOT_OWN_SKIN = re.compile(r"礼|送|生日|纪念日|节日|过年|情人节|母亲节|父亲节|圣诞|"
                           r"口红|唇|粉底|气垫|遮瑕|眼影|眉|睫毛|腮红|彩妆|香水|指甲")


def item_named(entries: Sequence[FaqEntry], text: str) -> str:
    """The product a message names as the knowledge base's keywords name products ("面霜适合我妈用吗" → "面霜",
    a keyword of the cream's entry; a skin type is no product); "" when it names none. The shop's own words, so a
    bakery's 蛋糕 is found as a beauty shop's 面霜 is (as `item_to_ask_about` reads an entry's keywords)."""
    return next((w for e in entries for w in e.keywords if w in text and w not in _KIND_WORDS), "")


# Whether someone may use "it", naming no product: "我妈能用吗", "我老公可以用吗" (sandbox, 2026-12-04: with nothing
# said before, answered with the pregnancy entry).
_WHOSE_USE = re.compile(rf"^(?:那)?(?:我的?|我家){_PEOPLE}(?:也)?(?:能用|可以用|适合用|能不能用|可不可以用|适合|用)"
                        r"(?:吗|么|嘛|不|没|得了吗|的吗)?[?？。.!！~～\s]*$")


def unnamed_use(text: str) -> str:
    """Whom a question whether "it" suits them names, when it names nothing else ("我妈能用吗" → "妈妈"): with
    nothing said before, which product and what she is like are asked (`reply.which_for`); "" otherwise."""
    m = _WHOSE_USE.match(text.strip())
    return "" if m is None else _CALLED.get(m["who"], m["who"])


# Whom a pick is to suit, asked: "有适合我妈的吗", "有没有适合送男朋友的".
_SUITS_THEM = re.compile(rf"(?:适合|合适)(?:送给?|给)?(?:我的?|我家)?{_PEOPLE}")


# A child told of by school or age, with or without 我: "孩子上高中了 脸上长痘 有推荐的吗", "儿子十岁 用什么好",
# "我家娃上初中了" (the sandbox of 2026-12-05 asked the customer's own skin type).
_CHILD_DESCRIBED = re.compile(r"(?:^|[\s，,。；;])(?:那)?(?:我的?|我家)?(?P<who>孩子|小孩子?|儿子|女儿|闺女|娃|小朋友)"
                              r"(?:今年|已经|现在|刚|才|都|快|马上)?(?:要)?(?:上|读|在读|念|在上)?(?:了)?"
                              r"(?:幼儿园|小学|初中|高中|初[一二三]|高[一二三]|[一二三四五六]年级|"
                              r"[一二两三四五六七八九十\d]+\s*(?:岁|周岁|个月))")


# An elder told of with their age, with or without 我: "公婆都七十多了 送点什么护肤品好", "奶奶八十了 送什么好",
# "丈母娘六十岁 有啥推荐" (the sandbox of 2026-12-05 offered the dry-skin cream as if for the customer).
_ELDER_AGED = re.compile(r"(?:^|[\s，,。；;])(?:那)?(?:我的?|我家)?"
                         r"(?P<who>公婆|婆婆|公公|外婆|奶奶|姥姥|爷爷|外公|姥爷|丈母娘|岳母|岳父|老丈人|爸妈|父母|"
                         r"妈妈|爸爸|老妈|老爸|长辈|老人家|老人)"
                         r"(?:两个|俩|他们|她们|两位)?(?:都|已经|今年|快|也|现在|都快)?(?:有)?"
                         r"(?:[四五六七八九]十|[4-9]\d)(?:多|几|来)?(?:岁|了|出头)?")


def suits_whom(text: str) -> str:
    """Whom a product is to suit, as the persona would call them ("适合我妈用吗", "我妈五十多了 用什么好" → "妈妈";
    "孩子上高中了 脸上长痘 有推荐的吗" → "孩子"), or whom the wish is for; "" when neither is said. The pick is still
    asked for like the customer's own (the skin type next gets the entry); only the words asking back are about
    them."""
    m = (_USED_BY.search(text) or _DESCRIBED.search(text.strip()) or _SUITS_THEM.search(text)
         or _CHILD_DESCRIBED.search(text.strip()) or _ELDER_AGED.search(text.strip()))
    return recipient(text) or ("" if m is None else _CALLED.get(m["who"], m["who"]))


def whom_unspoken(entries: Sequence[FaqEntry], who: str, text: str) -> bool:
    """Whom a pick is for is someone the shop's entries must speak of (a child: persona/followup.py FOR_WHOM) and
    none does ("有没有适合小孩用的" in a shop whose entries say nothing of children): what suits them is for a person
    to say. A son or daughter told to be grown ("给女儿买个面霜 她二十多了") is no child."""
    named = concepts(who) & FOR_WHOM
    return bool(named) and not _GROWN.search(text) and not any(named & spoken(e) for e in entries)


# A son or daughter told to be grown: "她二十多了", "女儿 25 岁", "儿子十八岁了", "已经成年了", "上大学了" (a child
# of 15 or one in high school is no grown-up).
_GROWN = re.compile(r"(?:[二三四五六七八九]十|[2-9]\d|1[89])(?:多|几|来)?(?:岁|了|出头)|十[八九]岁|"
                    r"成年|大学|工作了|上班了")


# The age of whom it is for, told with the wish: "她五十多了", "我妈六十岁", "快七十了", "50多岁", "四十出头".
_AGE = re.compile(r"(?:[二三四五六七八九]十|[2-9]\d)(?:多|几|来)?(?:岁|了|出头)|"
                  r"(?:快|都|已经)[二三四五六七八九]十(?:了|岁)|\d{2}\s*岁")


def age_told(text: str) -> bool:
    """The wish tells how old the one it is for is ("面霜适合我妈用吗 她五十多了"): `reply.shopping_item`'s "aged"
    phrasings ask the skin type and budget only."""
    return _AGE.search(text) is not None


def skin_named(text: str) -> bool:
    """The wish tells a skin type ("他是油皮", "她偏干", "混合皮": persona/matcher.py EXCLUSIVE's first group)."""
    return any(group == 0 for group, _ in kinds(skin_told(text)))


def for_themself(text: str) -> bool:
    """A wish or pick for the customer's own skin, naming no one else, no gift and no make-up ("想买点护肤品",
    "我想给自己买个面霜", "有啥推荐的"): the persona asks their skin type, what bothers it and the budget, not whom
    it is for."""
    return not suits_whom(text) and _NOT_OWN_SKIN.search(text) is None


_KIND_WORDS = frozenset(w for group in EXCLUSIVE for kind in group for w in kind)
_PRODUCT = re.compile(r"「([^」]+)」")  # a product the answer names ("干皮推荐「柚润保湿霜」")


# Kinds of product a beauty shop sells, named in a pick ("有适合干皮的洗面奶吗"): an entry that names none of them
# (the dry-skin cream's) does not answer it.
_PRODUCTS = re.compile(r"面膜|洗面奶|洁面|卸妆|防晒|眼霜|口红|粉底|精华|水乳|乳液|爽肤水|化妆水|身体乳|面霜|护手霜|"
                       r"唇膏|精油|喷雾|隔离|BB霜|CC霜")


def other_product(entry: FaqEntry, text: str) -> bool:
    """The text names a kind of product the entry does not ("有适合干皮的洗面奶吗" and the dry-skin cream's entry)."""
    named = set(_PRODUCTS.findall(text))
    return bool(named) and not named & set(_PRODUCTS.findall(" ".join((*entry.questions, *entry.keywords,
                                                                        entry.answer))))


def product_of(entry: FaqEntry) -> str:
    """The product an entry for one kind is about, as its keywords name it (the dry-skin cream's "面霜"); ""."""
    return next((w for w in entry.keywords if w not in _KIND_WORDS), "") if is_for_a_kind(entry) else ""


def is_for_a_kind(entry: FaqEntry) -> bool:
    """The entry is for one kind (of skin, season ...: persona/matcher.py EXCLUSIVE) in its phrasings or keywords."""
    return bool(kinds(" ".join(entry.questions + entry.keywords)))


def item_to_ask_about(entry: FaqEntry, text: str, tags: str = "") -> str:
    """The product a wish names ("我想给我妈买个面霜", "我想买个面霜": 面霜), when the knowledge base's entry for it is
    for one kind (of skin, season ...: persona/matcher.py EXCLUSIVE) and the wish names no kind: the skin type
    (for someone else also the age) and budget are asked first (`reply.shopping_item`, `reply.shopping`), the way
    a shop assistant would, instead of recommending what suits dry skin to someone nobody described. "" otherwise:
    the wish names the kind in its words or in the `tags` the customer earned ("她皮肤特别干", "脸干到起皮": 干皮;
    for their own wish, the kinds they told before too), or names the very product the entry recommends."""
    if kinds(f"{text} {tags}") or not is_for_a_kind(entry):
        return ""
    if any(name in text for name in _PRODUCT.findall(entry.answer)):
        return ""
    return next((w for w in entry.keywords if w in text and w not in _KIND_WORDS), "")


# A skin type told in answer to the persona's question without naming the skin ("她偏干", "偏油一点", "比较干燥"):
# the skin is what was asked about (every reply.shopping* asks it; advisor's even offers "偏干、偏油").
_BARE_KIND = re.compile(r"(?<![皮肤脸])(?:(?:偏|有点儿?|比较|很|特别|超)(?:干|油)(?![净嘛啥活])|干燥)")


def skin_told(details: str) -> str:
    """The details of a wish with a bare skin type read as the skin's ("她偏干" → "她皮肤偏干": dry skin, for
    persona/matcher.py `kinds`)."""
    return _BARE_KIND.sub(lambda m: f"皮肤{m[0]}", details)


@dataclass(frozen=True, slots=True)
class Wish:
    """A wish the persona asked details for, with the details told since (`text`: "我想给我妈买个面霜，她六十多了")."""

    text: str
    again: bool = False  # the skin type was asked a second time (`reply.shopping_kind`): never a third
    checked: bool = False  # the persona told how to tell one's skin type (`reply.skin_check`): only a type told answers


# The persona's questions a wish's details answer; "which product, and what is she like" (`reply.which_for`, after
# "我妈能用吗") is one too: "保湿霜 她偏干" answers it; so is how to tell one's skin type (`reply.skin_check`, which
# ends "告诉我就能帮你挑合适的"): "对 就是干皮" after it carries on to the pick.
_WISH_ASKED = ("reply.shopping#", "reply.shopping_for#", "reply.shopping_item#", "reply.shopping_told#",
               "reply.which_for#", "reply.skin_check#")


async def wish_answered(ctx: Ctx, customer: Customer, msgid: str) -> Wish | None:
    """The wish the persona asked about a moment ago ("我想给我妈买个礼物" → reply.shopping*), when the
    customer's message `msgid` is the answer to it ("她是干皮 预算300左右"); after the skin type was asked
    again (`reply.shopping_kind`), the wish with the details told before it; None otherwise."""
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    asked = _recent_out(ctx, history, len(history))
    if asked is None:
        return None
    if history[asked].template_key.startswith(_WISH_ASKED):
        said = _said(history, asked)
        if history[asked].template_key.startswith("reply.shopping_told#"):
            said = without_condition(said)  # its caution was said: the pick is what the details answer
        return Wish(said, checked=history[asked].template_key.startswith("reply.skin_check#")) if said else None
    if not history[asked].template_key.startswith("reply.shopping_kind#"):
        return None
    told = next((n for n in reversed(range(asked)) if _from_customer(history[n])), None)
    if told is not None and (budget_pick(history[told].text) or budget_told(history[told].text)
                             and (wants_to_buy(history[told].text) or asks_suited(history[told].text))):
        # "两百块钱能买到什么", "想买个两百左右的面霜", "有适合学生党的吗 预算一百以内": the wish and its budget at once
        return Wish(history[told].text.strip(), again=True)
    wished = _recent_out(ctx, history, told) if told is not None else None
    if told is None or wished is None or not history[wished].template_key.startswith(_WISH_ASKED):
        return None
    wish = _said(history, wished)
    return Wish(f"{wish}，{history[told].text.strip()}", again=True) if wish else None


# A condition of the customer's that decides what they may use: "我怀孕五个月了", "还在哺乳期", "在备孕".
_CONDITION = re.compile(r"怀孕|孕期|孕妇|孕[早中晚]期|怀(了|上)?(二胎|宝宝|孩子)|哺乳|喂奶|备孕")


def tells_condition(text: str) -> bool:
    """The text speaks of a condition that decides what one may use ("孕妇可以用吗", "还在哺乳期")."""
    return _CONDITION.search(text) is not None


# What bothers their skin, told: "脸上长斑", "老是冒痘", "毛孔好大" (the word the persona says back).
_CONCERN = re.compile(r"斑|痘|闭口|粉刺|暗沉|发黄|细纹|皱纹|毛孔|黑头|红血丝|泛红")


@dataclass(frozen=True, slots=True)
class Told:
    """What the customer told of themself, for a pick asked now ("那有什么推荐的吗"); either may be ""."""

    condition: str  # the message (or clause) that told it ("我怀孕五个月了 脸上长斑")
    concern: str  # the trouble named ("斑")


_CLAUSE = re.compile(r"[，,。.!！?？~～；;\s]+")
# A pick of what to use, asked with what was told: "有什么能用的", "用什么好", "有推荐吗".
_WHAT_TO_USE = re.compile(r"推荐|有(什么|啥)(能|可以)?用|(用|擦|涂|抹|买)(什么|啥|哪个|哪款|哪些)|什么好|啥好|哪款")


def asks_what_to_use(text: str) -> bool:
    """A pick of what to use asked ("有推荐的吗", "用什么好", "有啥能用的"), for whomever."""
    return _WHAT_TO_USE.search(text) is not None


def told_with_pick(text: str) -> Told | None:
    """A pick for the customer themself asked with a condition or a skin trouble told in the same message ("我怀孕了
    有什么能用的", "脸上长痘 有推荐吗", "最近脸好暗沉 有啥推荐的"), and no skin type (that has its entry): what was told
    is said back and only what is missing asked (`reply.shopping_told`), not the whole questionnaire; None
    otherwise."""
    text = text.strip()
    suited = asks_suited(text) and for_themself(text)  # "有没有适合痘痘肌的"
    if not (_own_pick(text) or suited) or _NO_PICK.search(text):
        return None
    if any(group == 0 for group, _ in kinds(text)):  # a skin type told ("我是干皮 脸上长痘"): no questionnaire
        return None
    condition = _condition_clause(text)
    if condition and not _own_pick(text):
        return None  # "孕妇有能用的吗": the knowledge base's entry for it answers
    concern = m[0] if (m := _CONCERN.search(text)) else ""
    return Told(condition, concern) if condition or concern else None


# Asking which skin type they have: "帮我看看我这是什么肤质", "我是什么皮肤啊", "怎么判断自己是什么肤质" (the sandbox of
# 2026-12-05 offered the dry-skin cream as its only 猜你想问).
_WHICH_SKIN = re.compile(r"(我|我这|我的|自己)(皮肤)?(算|是|属于)?(是)?(什么|啥|哪种|哪一种)(类型的?)?(肤质|皮肤|皮)"
                         r"(啊|呀|呢|吗)?$|"
                         r"(怎么|如何|咋)(判断|看|知道|区分|测)(自己|我)?(是)?(什么|啥|哪种)?(的)?(肤质|皮肤类型)|"
                         r"(肤质|皮肤类型)(要)?(怎么|如何|咋)(判断|看|测|区分)")


def asks_own_skin_type(text: str) -> bool:
    """The customer asks which skin type they have, or how to tell (`reply.skin_check`: a simple test to do)."""
    return len(text) <= 30 and _WHICH_SKIN.search(text.strip(" 。.!！?？~～")) is not None


def condition_pick(text: str) -> str:
    """The clause telling a condition in a pick the customer asks for themself ("我怀孕了 皮肤特别干 用什么好" →
    "我怀孕了"), "" when none is told or nothing is asked for."""
    text = text.strip()
    return _condition_clause(text) if _own_pick(text) else ""


def _own_pick(text: str) -> bool:
    """A short message asking what to use, for the customer themself, with no purchase made or refused."""
    return len(text) <= 40 and _WHAT_TO_USE.search(text) is not None and not _NOT.search(text) and for_themself(text)


def _condition_clause(text: str) -> str:
    return next((c for c in _CLAUSE.split(text) if _CONDITION.search(c)), "")


def self_told(text: str) -> str | None:
    """What a wish for the customer themself already told of their skin, as `reply.shopping`'s situation: "trouble"
    for a skin type and a trouble ("我28岁混油皮 换季老是爆痘 想找个温和点的": only the budget is asked), "told" for a
    skin type alone (the trouble and budget asked); None when no skin type was told."""
    if not any(group == 0 for group, _ in kinds(text)):
        return None
    return "trouble" if _CONCERN.search(text) else "told"


def without_condition(text: str) -> str:
    """The wish without its clauses that told a condition ("我怀孕了 有什么能用的" → "有什么能用的"): the condition's
    caution was said with the question back, so the details answer the pick."""
    kept = [c for c in _CLAUSE.split(text) if c and not _CONDITION.search(c)]
    return " ".join(kept) if kept else text


async def told_lately(ctx: Ctx, customer: Customer, msgid: str) -> Told | None:
    """A condition (pregnancy, breastfeeding) or a skin trouble the customer told in their last few messages,
    less than FOLLOWUP_MINUTES ago ("我怀孕五个月了 脸上长斑", "最近爆痘好严重 好烦"), for a pick asked now with nothing
    told: the recommendation keeps to them (`reply.shopping_told`) instead of asking them again; None when they told
    neither."""
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    said = [m.text.strip() for m in history if _from_customer(m) and m.created_at >= since][-3:]
    condition = next((t for t in reversed(said) if _CONDITION.search(t)), "")
    concern = next((m[0] for t in reversed(said) if (m := _CONCERN.search(t))), "")
    if not (condition and concern) and any(g == 0 for t in said for g, _ in kinds(t)):
        return None  # "我皮肤有点敏感 换季老是泛红": the skin type told has its own way (the entry, or staff)
    return Told(condition, concern) if condition or concern else None


async def suited_told_before(ctx: Ctx, customer: Customer, msgid: str, text: str) -> bool:
    """A pick asked in the customer's own words (`asks_suited`) for the skin type they told a few messages ago ("我是
    敏感肌 以后别给我推刺激的东西" … "那你们有啥适合敏感肌的"): what they are like is told, so it has its own way (the
    entry, or staff with the chat), not the questionnaire again."""
    named = {k for g, k in kinds(text) if g == 0}
    if not named or not asks_suited(text):
        return False
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    said = [m.text for m in history if _from_customer(m) and m.created_at >= since]
    return any(named & {k for g, k in kinds(t) if g == 0} for t in said)


def bare_pick(text: str) -> bool:
    """A few words asking what to use, naming nothing ("有什么能用的吗", "那用啥好"): a pick that what the customer
    told a moment ago decides (`told_lately`)."""
    text = text.strip()
    return (len(text) <= 12 and _WHAT_TO_USE.search(text) is not None and _NOT.search(text) is None
            and not kinds(text) and not topics(plain(text)) and for_themself(text))


async def said_before(ctx: Ctx, customer: Customer, msgid: str, replies: tuple[str, ...]) -> str:
    """What the customer said right before `msgid` when the persona's last line, less than
    FOLLOWUP_MINUTES ago, was one of `replies` (template keys with their "#"); "" otherwise."""
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    asked = _recent_out(ctx, history, len(history))
    if asked is None or not history[asked].template_key.startswith(replies):
        return ""
    return _said(history, asked)


def _recent_out(ctx: Ctx, history: list[Message], end: int) -> int | None:
    """The index of the persona's last line before `end`, when said less than FOLLOWUP_MINUTES ago."""
    asked = next((n for n in reversed(range(end)) if history[n].direction == "out"), None)
    if asked is None or ctx.clock.now() - history[asked].created_at > timedelta(minutes=FOLLOWUP_MINUTES):
        return None
    return asked


def _from_customer(message: Message) -> bool:
    return message.direction == "in" and not message.staff_userid


def _said(history: list[Message], end: int) -> str:
    """What the customer said last before `end`; "" when nothing."""
    said = next((m for m in reversed(history[:end]) if _from_customer(m)), None)
    return said.text.strip() if said is not None else ""
