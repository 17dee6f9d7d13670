"""A customer's question in the words the knowledge base is written in, for matching only: a pasted
link says nothing about the question ("https://item.taobao.com/... 这个链接是你们官方的吗"), nor do
clauses that only lead up to it ("算了 我就问一句 到底什么时候能到") or tell where the customer is ("那大概
几天能到 我在甘肃"), and Cantonese function words ("系咪正品嚟㗎", "寄去广州要几耐") read as their Mandarin
ones, and a delivery asked by a day ("周五之前能到北京吗") asked as the days it takes ("寄到北京几天能到": the
answer gives days, the customer counts). What the customer wrote is kept everywhere else (the ticket, the
staff queue, the model's prompt)."""

from __future__ import annotations

import re

_LINK = re.compile(r"(https?://|www\.)[\x21-\x7e]+")
# Leading clauses that announce a question without asking anything, each ended by a comma or space.
_LEAD_IN = re.compile(r"^((hi|hello|hey|哈喽|嗨|你好|您好|算了|好吧|那个|就是|嗯+|(?:哦+|噢+|啊)?对了|"
                      r"还有(?:个|件|一个|一件)(?:事|问题)儿?|"
                      r"再问(?:个|一个)(?:事|问题)|哦+|还有|另外|顺便|我就问一句|我再问一句|再问一句|问一句|"
                      r"我想问一?下|想问一?下|问一?下|请问一?下?|请教一下|我想请教一下|麻烦问一?下)[，,。；;\s]+)+")
# Cantonese words with one Mandarin reading; single characters only where they never occur in
# Mandarin shop talk (系 alone stays: 系列).
_CANTONESE = (("系唔系", "是不是"), ("系咪", "是不是"), ("得唔得", "可以吗"), ("边度", "哪里"), ("边个", "哪个"),
              ("唛", "吗"), ("侬", "你"), ("阿拉", "我们"), ("好用伐", "好用吗"), ("能用伐", "能用吗"),  # Shanghainese
              ("嚟㗎", "的吗"), ("㗎", "吗"), ("你哋", "你们"),
              ("我哋", "我们"), ("佢哋", "他们"), ("几耐", "多久"), ("点样", "怎么"), ("有冇", "有没有"),
              ("冇", "没有"),
              ("乜嘢", "什么"), ("咩", "什么"), ("唔", "不"), ("係", "是"), ("嘅", "的"), ("喺", "在"), ("佢", "她"),
              ("睇", "看"), ("畀", "给"), ("啲", "些"))
_CANTONESE_RE = re.compile("|".join(re.escape(c) for c, _ in _CANTONESE))
_MANDARIN = dict(_CANTONESE)

# Shop words customers type in English, inside a Chinese message ("你们的moisturizer适合dry skin吗") or a whole message
# in English ("what's your return policy?"), in the knowledge base's words: the sentence model ranks a Chinese
# entry far below "none of them" for an English question that shares no word with it (multilingual-e5-small puts
# English and Chinese apart), while "what's your 退货 policy" is as sure as the Chinese. Generic shop vocabulary
# (a pattern per line; the longest first where one holds another), not any one knowledge base's words.
_ENGLISH = (("moisturi[sz]ing cream", "保湿霜"), ("moisturi[sz]ers?", "保湿霜"), ("face creams?", "面霜"),
            ("creams?", "面霜"), ("dry skin", "干皮"), ("oily skin", "油皮"), ("sensitive skin", "敏感肌"),
            ("combination skin", "混合皮"), ("free shipping|free delivery", "包邮"), ("shipping", "发货"),
            ("ships?|shipped", "发货"), ("couriers?", "快递"), ("deliver(?:y|ies|ed)?", "快递"),
            ("refunds?|refunded|money back", "退款"),
            ("return policy|returns?(?! to | home)|returning|send (?:it |them )?back", "退货"),
            ("exchanges?", "换货"), ("don'?t like|do not like|not happy with|not satisfied with", "不喜欢"),
            ("pregnan(?:t|cy)", "怀孕"), ("breast ?feeding|nursing", "哺乳期"),
            ("shelf life|expiry date|expiration date|best before", "保质期"), ("expires?|expired|expiring", "过期"),
            ("production date|manufactur(?:e|ing) date", "生产日期"), ("after opening|once opened", "开封后"),
            ("opened|unsealed", "拆封"),
            ("get (?:it|them|my order|my package|my parcel)|receive (?:it|them|my order)|arrives?|arrival", "收到"),
            ("coupons?|vouchers?", "优惠券"), ("discounts?|promo(?:tion)?s?|deals?|on sale", "优惠"),
            ("authentic|genuine|real or fake", "正品"), ("fakes?|counterfeits?", "假货"),
            ("official (?:flagship )?store|flagship store", "官方旗舰店"), ("official", "官方"),
            ("physical (?:store|shop)s?|offline (?:store|shop)s?|brick and mortar", "实体店"), ("alcohol", "酒精"),
            ("ingredients?", "成分"), ("fragrance", "香精"), ("winter", "冬天"), ("summer", "夏天"),
            ("membership|members?|loyalty", "会员"), ("points", "积分"), ("Tmall", "天猫"), ("JD", "京东"),
            ("invoices?|receipts?|fapiao", "发票"), ("parking|park", "停车"),
            ("opening hours|business hours", "营业时间"), ("oat milk", "燕麦奶"), ("decaf", "低因"),
            ("wi-?fi", "WiFi"), ("dogs?|cats?|pets?", "宠物"), ("takeaway|take-out|takeout", "外卖"),
            ("stores?", "店"))
_WORD = re.compile(r"[A-Za-z]{2,}")
_ENGLISH_RE = re.compile(r"(?<![a-z])(?:" + "|".join(f"(?P<e{n}>{e})" for n, (e, _) in enumerate(_ENGLISH))
                         + r")(?![a-z])", re.I)


# Whether we have or sell a thing, asked in English with no shop word that carries the question ("do you have a
# physical store", "is there a store in Shanghai", "do you guys sell sunscreen"): asked as the Chinese "有…吗", the
# form the knowledge base's phrasings take, so the thing's own words decide the entry.
_HAVE = re.compile(r"^(?:(?:do|does) (?:you|you guys|your (?:shop|store|brand|company)) (?:have|sell|carry|offer)|"
                   r"(?:is|are) there) (?:a |an |any |some )?(?P<thing>[^?？!！]+?)[\s?？!！.]*$", re.I)


def _chinese(match: re.Match[str]) -> str:
    return _ENGLISH[int(next(k for k, v in match.groupdict().items() if v is not None)[1:])][1]


_HAN = re.compile(r"[\u4e00-\u9fff]")


def shop_words(text: str) -> str:
    """The text with its English shop words in the knowledge base's Chinese ("I want a refund": "I want a 退款"), and
    nothing else changed: what the escalation rules read, whose topics are Chinese words."""
    return _ENGLISH_RE.sub(_chinese, text) if _WORD.search(text) else text


# "周五之前能到北京吗", "下周五前可以收到吗", "月底之前能寄到上海不", "今天拍的话明天能到不": arriving by a day, in
# one clause.
_BY_DAY = re.compile(r"^(?:(?:今天|今晚|现在|马上)?(?:拍|下单|买|付款)(?:了)?(?:的话)?[，,\s]*)?"
                     r"(?:下|这|本)?(?:个)?(?:周[一二三四五六日天末]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|"
                     r"[0-9一二三四五六七八九十]{1,3}号|明天|后天|大后天|月底|月初|过年|春节|元旦|"
                     r"(?:她|他|我|我妈|我爸)?(?:的)?生日)(?:之前|以前|前)?(?:能|可以|能不能)(?:送到|寄到|收到|到)"
                     r"(?P<place>[^，,。？?！!\s吗么嘛不]{0,6})(?:吗|么|嘛|不)?[?？]*$")


# A clause that only tells where the customer is, last ("那大概几天能到 我在甘肃", "下单的话几天能到 我在成都", "…
# 我这边是深圳的", "… 人在四川成都") or first ("我在杭州 买了大概几天到", "武汉这边下单几天能到"): the question is the
# rest (a shop's delivery answer gives the days by region). A province, a provincial capital or a big city, or both.
_PROVINCE = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
             "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门")
_CITY = ("成都|杭州|广州|深圳|苏州|武汉|西安|南京|长沙|郑州|济南|青岛|大连|沈阳|哈尔滨|长春|石家庄|太原|合肥|南昌|"
         "福州|厦门|南宁|昆明|贵阳|兰州|西宁|银川|乌鲁木齐|拉萨|呼和浩特|海口|三亚|宁波|温州|无锡|常州|东莞|佛山|"
         "珠海|泉州|烟台|徐州|绍兴|嘉兴|金华|台州|扬州|南通|唐山|保定|洛阳|绵阳|宜昌|襄阳|赣州|桂林|包头|大庆")
_PLACE = rf"(?:(?:{_PROVINCE})(?:省|市)?(?:{_CITY})?|{_CITY})市?"
PLACES = re.compile(rf"{_PROVINCE}|{_CITY}")  # a province or big city named anywhere
_I_AM = r"(?:我|我们|我家|人)(?:这边|这里|那边)?(?:在|是|住在?)"
_WHERE_I_AM = re.compile(rf"[，,。；;\s]+{_I_AM}{_PLACE}(?:这边|那边|这里)?(?:的)?[。！!～~]*$")
_WHERE_I_AM_FIRST = re.compile(rf"^(?:{_I_AM}{_PLACE}(?:这边|那边|这里)?的?[，,。；;\s]+|"
                               rf"{_PLACE}(?:这边|那边|这里)(?:的话)?)")


def in_english(text: str) -> bool:
    """Written in English: two words or more and no Chinese ("do you ship to Hong Kong?"; not "ok", not "面霜 ok吗")."""
    return _HAN.search(text) is None and len(_WORD.findall(text)) >= 2


def has_chinese(text: str) -> bool:
    """Some Chinese character in the text."""
    return _HAN.search(text) is not None


def one_english_word(text: str) -> bool:
    """A single English word and no Chinese ("thx", "bye", "hi", "lol"): Chinese customers type these all the time,
    so it says English only beside a message in English just before (handlers/replies/routes.py `writes_english`)."""
    return _HAN.search(text) is None and len(_WORD.findall(text)) == 1


def quoted(question: str, limit: int = 60) -> str:
    """The customer's question as the persona says it back ("你之前问的「…」"): in their words, without a lead-in
    ("对了 你们面霜多少钱一瓶" → "你们面霜多少钱一瓶"), on one line, cut with "…" past `limit` characters."""
    one_line = " ".join(question.split())
    text = _LEAD_IN.sub("", one_line) or one_line
    return text if len(text) <= limit else text[:limit - 1] + "…"


def plain(question: str) -> str:
    """The question without links, lead-in clauses and where the customer is, Cantonese function words
    in Mandarin, English shop words in Chinese ("do you have …" as "有…吗"), a delivery by a day asked as the days it
    takes."""
    text = _WHERE_I_AM.sub("", _LEAD_IN.sub("", _LINK.sub(" ", question).strip()))
    text = _WHERE_I_AM_FIRST.sub("", text) or text
    text = _CANTONESE_RE.sub(lambda m: _MANDARIN[m[0]], text).strip() or question.strip()
    if (have := _HAVE.match(text)) is not None:
        text = f"有{have['thing']}吗"
    text = _ENGLISH_RE.sub(_chinese, text)
    by_day = _BY_DAY.match(text)
    if by_day is None:
        return text
    return f"寄到{by_day['place']}几天能到" if by_day['place'] else "快递几天能到"
