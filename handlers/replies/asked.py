"""What a question asks for that an answer must give: "那个保湿霜多少钱啊" asks a price, "面霜跟精华先涂哪个"
asks the order of a routine, "天猫上有旗舰店不" whether there is a shop of ours there, "能给换成邮政吗" for a
courier, "一瓶能用多久啊 她用东西费" how long one jar lasts in use, "杭州有门店吗" where a store is. The sentence
model is sure of the cream's recommendation for the first two (they share 面霜), of the shipping entry for the
fourth, of the shelf life for the fifth ("开封后能用多久" is one of its phrasings), of the where-to-buy entry for
the last, and leans to the authenticity entry for the third ("官方渠道发出的都是正品" names no shop); yet an entry
whose answer names no price, says nothing of an order (先, 再, 然后, 之后, 顺序, 步骤), names no shop or
marketplace, not the courier or way to pay asked for, no time one lasts in use ("开封后建议 12 个月内用完" is how
long it keeps) or no place ("也可以到门店购买" says where nobody can go), answers none of them: it is not said
(reading.py) nor offered (猜你想问, clarify.py), and the question goes where an unanswered one goes (a colleague
can say where the shops are; the owner can add an entry for it).
"""

from __future__ import annotations

import functools
import re

from handlers.escalation.rules import is_question
from handlers.replies.price import asks_price, gives_price
from handlers.replies.shopping import asks_what_to_use
from persona.facts import asked_if
from persona.faq import FaqEntry
from persona.followup import FILLER, FOR_WHOM, clearly_named, other_product, spoken, topics
from persona.heard import heard
from persona.matcher import kinds
from persona.wording import PLACES

# "先涂哪个", "先用精华还是先用面霜", "洗完脸先抹哪个", "什么顺序", "先涂精华再涂面霜 对吗": which goes on first.
_ON = r"(用|涂|抹|擦|搽|上)"
_ASKS_ORDER = re.compile(rf"先{_ON}(哪|什么|啥)|先{_ON}[^，,。？?]{{1,8}}还是先|(什么|啥|哪个|怎样的)(顺序|先后)|"
                         r"顺序(是|怎么|如何)|先后顺序|哪个先|谁先|"
                         # an order told to be checked: "先涂精华再涂面霜 对吗"
                         rf"先{_ON}[^，,。？?]{{1,8}}再{_ON}[^，,。？?]{{0,8}}[，,\s]*(对吗|对不对|对吧|是吗|可以吗|行吗|没错吧)|"
                         # what comes after it in a routine: "晚上用完面霜还要用别的吗", "擦完面霜还需要再涂什么吗",
                         # "面霜之后还需要涂别的不", "洗完脸只抹面霜就够了吗", "护肤步骤是啥"
                         rf"{_ON}(完|好|了)[^，,。？?\s]{{0,6}}(还要|还需要|还得|还用|要不要|需不需要)(再)?{_ON}?"
                         rf"(别的|什么|啥|其他|其它|点啥)|"
                         rf"(之后|以后|后面)[^，,。？?\s]{{0,4}}(还要|还需要|还得|要不要|需不需要)(再)?{_ON}"
                         rf"(别的|什么|啥|其他|其它|点啥)|"
                         rf"(只|光|就)(用|涂|抹|擦|搽)[^，,。？?\s]{{1,6}}(就够|就行|就可以|够吗|够不够|行吗|可以吗)|"
                         r"护肤(的)?(步骤|顺序|流程)")
_GIVES_ORDER = re.compile(r"先|再|然后|之后|最后|顺序|步骤|第一步")

# Whether two products go together ("你们的面霜能和别家的精华一起用吗", "跟我现在用的xx水冲突吗", "可以和其他牌子的
# 防晒叠加吗", "能搭配着用吗"): a usage question, also when the other is another brand's, never a comparison of
# brands. An answer gives it only when it speaks of using things together.
_ASKS_TOGETHER = re.compile(rf"(一起|同时|搭配|搭着|配合|配着|混着|混合|叠着|交替|轮换|轮着)(着)?(使)?{_ON}|"
                            r"叠加|叠涂|混用|冲突|冲不冲突|打架|相克|相冲|犯冲|能不能搭|可以搭|能搭(吗|么|嘛|不)")
_GIVES_TOGETHER = re.compile(r"一起用|同时用|搭配|叠加|叠涂|混用|冲突|配合|相克|间隔")

# "天猫上有旗舰店不", "有没有官方店", "京东有店吗", "旗舰店叫什么", "那官方在哪买": whether, or where, we have a shop
# to buy from
# (not "在天猫旗舰店买的也是正品吧", which asks about authenticity; not "线下有店吗", the place).
_MARKET = r"(天猫|京东|淘宝|拼多多|抖音|小红书)"
_SHOP = r"(旗舰店|官方店|专卖店|专营店|官网|网店|店铺|天猫店|京东店|淘宝店|抖店)"
_ASKS_SHOP = re.compile(rf"有(没有)?[^，,。？?\s]{{0,3}}{_SHOP}|"
                        rf"{_MARKET}[^，,。？?\s]{{0,3}}有(没有)?[^，,。？?\s]{{0,2}}店|"
                        rf"^(那)?{_MARKET}(上|里)?(也)?(有|有卖|能买|可以买|买得到)(吗|么|嘛|没|不)?[?？]*$|"
                        rf"{_SHOP}(在哪|叫什么|是哪|名字|链接|地址)|"
                        # where to buy it at all: "那官方在哪买", "哪里能买到" (not "在哪买的都能积分吗")
                        r"(在|去|到|从)?(哪里|哪儿|哪|什么地方)(能|可以|才能)?(买|下单|购买)(?![的了过])")
_GIVES_SHOP = re.compile(rf"{_SHOP}|{_MARKET}|门店|小程序")
# Where to buy without fakes ("上次在别家买到过假货 … 你们这个在哪买放心", "哪里买是正品"): an answer that says what is
# genuine ("官方渠道发出的都是正品") answers it as well as a list of shops does.
_SAFE_BUY = re.compile(r"放心|安心|靠谱|正品|正规|真货|保真|假货|假的|真假")
_GIVES_GENUINE = re.compile(r"正品|官方渠道|防伪")


# "我们村顺丰不送 能给换成邮政吗", "能货到付款不": a courier or a way to pay the question names is one the answer
# must name ("默认顺丰" says nothing of 邮政 nor of paying on delivery); of a choice ("发顺丰还是中通啊"), one.
_NAMED = re.compile(r"邮政|EMS|中通|圆通|韵达|申通|极兔|德邦|京东快递|顺丰|货到付款|到付|花呗|分期|白条|信用卡", re.I)


# "一瓶能用多久啊 她用东西费", "省着用能用几个月", "每天用的话一罐够用多久": how long one lasts in use. A time asked
# of using it, with the amount or the pace of use named (一瓶, 这罐, 每天, 省着, 用东西费), and no word of keeping
# ("开封后能用多久", "放多久", "过期了还能用多久": the shelf life).
_LASTS = re.compile(r"(能|可以|够|可)?用(多久|多长时间|多少天|几个月|几天|几周|多少个月|几个星期)|用得了多久|"
                    r"(能|可以)?撑(多久|多长时间|几个月|几周|几天)|多久(能|才能|可以|才)?用(完|光)|用完(要|得)?多久")
_IN_USE = re.compile(r"一(瓶|罐|支|盒|管|套|袋|桶)|这(瓶|罐|支|盒|管|套)|每天|天天|早晚|省着|用量|共用|一起用|"
                     r"用[^，,。？?\s]{0,3}(费|快)(?!用)|费(得很|得快|劲)")
_KEEPS = re.compile(r"保质期|保存|放多久|能放|放了|放着|开封|开了|打开|过期|有效期|变质|坏")
# An answer that tells how long one lasts: "一瓶能用 2 个月左右", "每天用够用三个月".
_GIVES_LASTING = re.compile(r"(能|可以|够|可)用\s*[\d一二两三四五六七八九十半]+\s*个?(月|周|天|星期)|"
                            r"用\s*[\d一二两三四五六七八九十半]+\s*个?(月|周|天|星期)左右")


# "你们上海有实体店吗 想去试试", "杭州有门店吗", "门店在哪", "有没有线下店 想带我妈去试试": where a store is, which
# an answer naming no place ("也可以到门店购买") does not tell; "有线下店吗" alone asks only whether there are any.
# A bare 店 after 旗舰/官方/网/天猫 … is a shop online: "官方旗舰店在哪里可以下单" asks where to buy, no address.
_STORE = r"(线下店|实体店|门店|专柜|体验店|线下|(?<!旗舰)(?<!官方)(?<!专卖)(?<!专营)(?<![网猫东宝抖])店)"
_PLACE_ASKED = re.compile(rf"(?:^|[们家在问\s，,])(?P<place>[\u4e00-\u9fff]{{2,3}}?)(?:有没有|有|开)(?:线下|实体)?"
                          rf"{_STORE}|{_STORE}[^，,。？?\s]{{0,4}}(在哪|在什么|地址|位置|怎么去)")
_VISIT = re.compile(r"想去|去试|上脸试|先试|试试再买|去看看|去逛|"
                    r"带[^，,。？?\s]{0,4}去|附近|离我|最近的|哪个城市|哪些城市|几家")
_NOT_PLACES = ("你们", "你们家", "你家", "您家", "咱家", "咱们", "他们家", "线下", "线上", "网上", "这边", "那边")
_GIVES_PLACE = re.compile(r"[路街]|\d+\s*号|[\u4e00-\u9fff]区|商场|广场|银泰|万达|大厦|地铁|地址|"
                          r"[\u4e00-\u9fff]{2}市(?!场)")


# How long something takes, asked: "要泡多久", "多长时间能好", "几个小时", "要等几天" (not how long one lasts in use,
# `asks_lasting`, which an answer of months in use answers). An answer naming no span of time, day, clock time nor
# how often ("绿茶用 80-85℃ 的水…投茶 3-5 克": how to brew) answers none of it.
_ASKS_SPAN = re.compile(r"多久|多长时间|多少时间|几个?小时|几分钟|多少分钟|几天|多少天|几个?星期|几周|几个月|几年")
_GIVES_SPAN = re.compile(r"[\d一二两三四五六七八九十半几]+\s*个?(小时|分钟|秒|天|日|周|星期|月|年)|"
                         r"当天|当日|次日|隔天|隔日|马上|立即|即时|随时|长期|永久|每(天|日|周|月|年|次)|"
                         r"\d{1,2}[:：]\d{2}|\d+\s*点")


# When the money of a refund comes back ("那退款一般多久到账", "退钱要几天"): an answer of returns that names no refund
# nor money coming back ("签收 7 天内可以无理由退换") gives the days to ask for one, not this.
_ASKS_REFUND_TIME = re.compile(r"到账|(退款|退钱|钱)[^，,。？?\s]{0,6}(多久|几天|多长时间|什么时候|啥时候)|"
                               r"(多久|几天|多长时间|什么时候|啥时候)[^，,。？?\s]{0,4}(退款|退钱|退回来|到账)")
_GIVES_REFUND_TIME = re.compile(r"到账|原路|退款|退钱|退回")


def asks_span(text: str) -> bool:
    """The customer asks how long something takes or keeps (not how long one lasts in use: `asks_lasting`)."""
    return _ASKS_SPAN.search(text) is not None and not asks_lasting(text)


def asks_store_place(text: str) -> bool:
    """The customer asks where a store is, or about a store in a place they name, not just how to buy."""
    if not re.search(_STORE, text):
        return False
    found = _PLACE_ASKED.search(text)
    named = found is not None and (found["place"] is None or found["place"] not in _NOT_PLACES)
    return named or _VISIT.search(text) is not None


def asks_lasting(text: str) -> bool:
    """The customer asks how long one lasts in use, not how long it keeps."""
    return _LASTS.search(text) is not None and _IN_USE.search(text) is not None and _KEEPS.search(text) is None


# "小程序叫啥", "那个面霜叫什么名字", "店铺名字是什么": a name asked for, which an answer gives only in quotes
# ("干皮推荐「柚润保湿霜」") or after 叫 / 搜; "官方小程序、天猫、京东都能下单" names the mini program, not what it is
# called. A place in an app ("在小程序「我的-优惠券」里") is no name of it.
_ASKS_NAME = re.compile(r"叫(啥|什么|神马|个啥)|(什么|啥)名(字|儿)?|名字(是|叫)?(啥|什么|多少)|全名")
_GIVES_NAME = re.compile(r"「[^」]+」(?![里中内页栏下])|叫[“「\"]|搜(索)?[“「\"]")


def asks_name(text: str) -> bool:
    """The customer asks what something is called (not who the persona is: classify reads "你叫什么")."""
    return _ASKS_NAME.search(text) is not None


# "能做无麸质的蛋糕不", "有不含乳糖的吗": a thing the product is to be free of, which the entry must name (an answer on
# sugar-free cakes, "有代糖系列…", says nothing of gluten); "有无糖的吗" is 有/无 糖 (有无 read as 有没有 first).
_FREE_OF = re.compile(r"(?:(?<!有)无|不含)(?P<x>[\u4e00-\u9fff]{1,3}?)"
                      r"(?:的|吗|么|呢|吧|啊|呀|不|[，,。？?！!～~\s]|$)")


def _free_of_unspoken(entry: FaqEntry, text: str) -> bool:
    said = " ".join((entry.answer, *entry.questions, *entry.keywords))
    return any(m["x"] not in said for m in _FREE_OF.finditer(text))


def _gives_named(entry: FaqEntry, text: str) -> bool:
    given = [named.lower() in entry.answer.lower() for named in _NAMED.findall(text)]
    return not given or (any(given) if "还是" in text else all(given))


# "那保湿霜能涂眼周吗", "宝宝能用吗 一岁半": a place on the body, or a child as the one who uses it, that the
# answer must name ("干皮推荐「柚润保湿霜」…" says nothing of the eyes; "孕期和哺乳期大多可以用" nothing of babies).
_AREA = re.compile(r"眼周|眼部|眼睛|眼皮|眼下|眼角|嘴唇|唇部|嘴角|脖子|颈部|身体|身上|手上|手部|脚上|头皮|头发")
_CHILD = r"(宝宝|婴儿|婴幼儿|小宝宝|小孩子?|儿童|小朋友|新生儿|孩子|娃)"
_CHILD_USES = re.compile(rf"给{_CHILD}(用|涂|擦|抹|搽)|{_CHILD}(也|可以|能不能|能)?(能|可以)?(用|涂|擦|抹|搽)")
# "老年人能用吗", "我奶奶七十多了能用不", "爷爷七十多了 能用你们的面霜吗", "适合中老年人吗": an elderly person as
# the one who uses it, which the answer must name as well ("干皮推荐…" and "孕期和哺乳期大多可以用" say nothing of age).
_ELDER = (r"(老年人|老人家|老人|中老年|上了年纪|年纪大|岁数大|年龄大|长辈|老爷子|老太太|爷爷|奶奶|外婆|姥姥|外公|姥爷|"
          r"[五六七八九]十(多|几)?岁|[五六七八九]十(多|几)了)")
_ELDER_USES = re.compile(rf"给{_ELDER}[^，,。？?\s]{{0,4}}(用|涂|擦|抹|搽)|"
                         rf"{_ELDER}[^，,。？?]{{0,6}}(能|可以|适合|适用)[^，,。？?\s]{{0,2}}(用|涂|擦|抹|搽|吗|么|不|嘛)|"
                         rf"(适合|适用于?){_ELDER}|"
                         # "老年人用会不会刺激啊", "我奶奶用了会过敏吗": whether it is safe for them
                         rf"{_ELDER}[^，,。？?\s]{{0,2}}用了?[^，,。？?\s]{{0,3}}(会不会|会|有没有|要不要紧|没事吧)")
_GIVES_ELDER = re.compile(r"老年|老人|中老年|长辈|年纪|岁数|年龄|熟龄|抗老|抗衰")
# A man to use it: "有男士用的吗", "男生能用吗", "我老公可以用吗" (the dry-skin cream's answer says nothing of men).
_MAN = r"(男士|男生|男人|男的|男孩子|男孩|男朋友|老公)"
_MAN_USES = re.compile(rf"(有|有没有){_MAN}(专)?用的|给{_MAN}[^，,。？?\s]{{0,4}}(用|涂|擦|抹|搽)|"
                       rf"{_MAN}[^，,。？?\s]{{0,6}}(能|可以|适合|适用)[^，,。？?\s]{{0,2}}(用|涂|擦|抹|搽|吗|么|不|嘛)|"
                       rf"(适合|适用于?){_MAN}")


# "可以直接寄到香港吗", "do you ship to Hong Kong?": a place outside the mainland, which a delivery answer by region
# ("其他地区 2-4 天") does not cover unless it names it (or 港澳台, 海外).
_ABROAD = re.compile(r"香港|澳门|台湾|海外|国外|境外|美国|日本|韩国|加拿大|澳洲|澳大利亚|英国|法国|德国|新加坡|"
                     r"马来西亚|欧洲|(?<![a-z])(?:hong ?kong|hk|maca[ou]|taiwan|overseas|abroad|usa|the us|the states|"
                     r"america|japan|korea|canada|australia|uk|england|france|germany|singapore|malaysia|europe)(?![a-z])",
                     re.I)
_COVERS_ABROAD = re.compile(r"港澳台|海外|境外|国外")


# A pick asked for what it does: "喝点啥茶能提神", "哪款面霜能美白", "什么茶可以助眠" — which one does it (提神),
# which a list of what is sold ("绿茶、红茶、乌龙…都有") does not tell unless it names that. Not a time nor a place
# asked ("什么时候能发货", "哪里可以买").
_DOES = re.compile(r"(?:啥|什么|哪种|哪款|哪个|哪些|哪样)(?!时候|时间|地方|时)[\u4e00-\u9fff]{1,3}?"
                   r"(?:比较|最)?(?:能|可以|可(?!以))(?P<does>[\u4e00-\u9fff]{2})(?:的|吗|么|呢|啊|呀|[，,。？?！!～~\s]|$)")
# Not a use: one character of getting or using and a particle ("有什么优惠券可以领吗": 领吗, "能用吗", "能换吗").
_NOT_DOES = re.compile(r"^(用的|喝的|吃的|买的|推荐|选择|便宜|长期|放多|用多|放久|保存|退换|退货)|^.[吗么嘛呢啊呀吧]")


def _does_unspoken(entry: FaqEntry, text: str) -> str:
    """What a pick asked for what it does wants done ("喝点啥茶能提神": 提神), when the entry's phrasings, keywords
    and answer never name it; "" otherwise."""
    found = _DOES.search(text)
    if found is None or _NOT_DOES.match(found["does"]):
        return ""
    told = _told(entry)
    said = found["does"] in told or topics(found["does"]) & spoken(entry)  # "能放得久": keeping, in other words
    return "" if said else found["does"]


def names_who_and_where(entry: FaqEntry, text: str) -> bool:
    """The entry names every place, child and place abroad the text names (or a place abroad at all, 港澳台),
    and is about the province or city the text names (`of_its_place`)."""
    if not of_its_place(entry, text):
        return False
    told = _told(entry)
    areas = _AREA.findall(text)
    child = _CHILD_USES.search(text)
    abroad = _ABROAD.findall(text)
    return (all(a in told for a in areas) and (child is None or re.search(_CHILD, told) is not None)
            and (not abroad or _COVERS_ABROAD.search(told) is not None or all(a in told for a in abroad)))


def of_its_place(entry: FaqEntry, text: str) -> bool:
    """An entry whose phrasings ask of a province or city ("新疆包邮吗", one a colleague's answer added) answers of
    that place only: not "西藏包邮吗", and not a plain "包邮吗" when every phrasing names a place; an entry whose
    phrasings name none ("多久能到") answers wherever the customer is."""
    phrasings = [set(PLACES.findall(q)) for q in entry.questions]
    own = set().union(*phrasings) if phrasings else set()
    if not own:
        return True
    asked = set(PLACES.findall(text))
    return bool(asked & own) if asked else not all(phrasings)


# A child told of with their skin, age or school as the one to use it: "小孩子皮肤干 可以用你们的面霜吗",
# "孩子十岁能用吗" (not "宝宝刚满月 我还在喂奶 …能用吗": the mother is the user; `_CHILD_USES` reads "宝宝能用吗").
# "孩子上高中了 能用你们的面霜吗": a school named tells a child's age too; a son or daughter is a child by a school or
# an age under 18 ("女儿上初中了", "儿子十五岁", never "女儿二十五岁").
_SCHOOL = (r"(今年|已经|现在|刚|才)?(上|读|在读|在上)(了)?(幼儿园|小学|初中|高中|初[一二三]|高[一二三]|"
           r"[一二三四五六]年级)")
_CHILD_TOLD = re.compile(rf"{_CHILD}(的)?(皮肤|脸|[一二两三四五六七八九十\d]+(岁|个月)|{_SCHOOL})|"
                         rf"(儿子|女儿|闺女)({_SCHOOL}|(今年|才)?(?<![一二三四五六七八九十\d])"
                         r"(十[一二三四五六七]?|[一二两三四五六七八九]|1[0-7]|[1-9])(岁|周岁|个月))")

_WHO_CHILD = re.compile(rf"{_CHILD}|儿子|女儿|闺女")  # the child's word at the start of `_CHILD_TOLD`'s match

# Skin just after a procedure: "刚做完医美", "刷完酸", "做完光子嫩肤", "激光后", "术后" — what may go on it then is
# for a person to say unless the entry speaks of it.
_PROCEDURE = re.compile(r"(做完|做了|刚做|打完|打了|刚打|刷完|刷了|刚刷)[^，,。？?\s]{0,4}?"
                        r"(医美|光子|激光|水光|微针|热玛吉|超声刀|皮秒|点痣|酸|换肤|项目|针)|"
                        r"(医美|光子|激光|刷酸|换肤|微针|水光|点痣|手术)(之?后|完)|术后")

# Whether it may be used, asked: "能用吗", "可以涂吗", "能敷面膜吗", "适合吗", "用你们的保湿霜可以吗".
_USE_ASKED = re.compile(r"(能|可以|适合|适用|能不能|可不可以)(用|涂|擦|抹|搽|敷)|能用|可以用|适合|"
                        r"(用|涂|擦|抹|搽|敷)[^，,。？?\s]{0,8}(可以|行|没问题)(吗|么|嘛|不|吧)")


def keeps_to(entry: FaqEntry, text: str) -> bool:
    """The entry names the products a whole message asks for and whom (or what skin) it says they are for: the
    entries offered for its last clause ("刚打完水光针 能敷面膜吗": "能敷面膜吗") still keep to the story before it."""
    return names_sold(entry, text) and not _user_unspoken(entry, text)


def _user_unspoken(entry: FaqEntry, text: str) -> str:
    """Whom, or what skin, a question asks whether it may use what the entry is about, when the entry speaks of
    none of it: an elderly user ("老人家", no age in the entry), a child told of with their skin, age or school
    ("小孩子", also in a pick asked for them: "孩子上初中了 皮肤干 有推荐吗"), skin just after a procedure ("做完医美");
    "" otherwise."""
    told = _told(entry)
    elder = _ELDER_USES.search(text)
    if elder is not None and not _GIVES_ELDER.search(told):
        return next(g for g in elder.groups() if g)
    child = _CHILD_TOLD.search(text)
    if child is not None and re.search(_CHILD, told) is None and (
            _USE_ASKED.search(text) is not None or asks_what_to_use(text)):
        # "我家娃上小学了 皮肤干 有啥推荐": the cream said in part; whether the child may use it is a person's to say
        who = _WHO_CHILD.match(child[0])
        return who[0] if who is not None else child[0]
    if _USE_ASKED.search(text) is None:
        return ""
    procedure = _PROCEDURE.search(text)
    return procedure[0] if procedure is not None and _PROCEDURE.search(told) is None else ""


def _man_unspoken(entry: FaqEntry, text: str) -> bool:
    """A man as the user a question names ("有男士用的吗"), when the entry speaks of none: the entry is no answer when
    the question speaks of nothing else of it; one naming the product ("你们那个面霜男生能用吗") keeps its answer."""
    told = _told(entry)
    return _MAN_USES.search(text) is not None and "男" not in told


def _of_the_entry(entry: FaqEntry, text: str) -> bool:
    """The question speaks of the entry's own subject, in a word of its phrasings or keywords
    ("你们那个面霜老人家能用吗": 面霜), or of the kind it is for; "老年人能用吗" does not, whatever was answered
    before."""
    own = " ".join((*entry.questions, *entry.keywords))
    return bool(_pairs(text) & _pairs(own)) or bool(kinds(text) & kinds(own))


# What is on, asked: "最近有什么活动吗", "你们有啥活动没", "现在有优惠活动吗" (not of a camp or referral: those have
# their own answers): a running camp and a referral campaign are listed with the knowledge base's answer, in one
# message (routes.py `tell_whats_on`; the sandbox of 2026-12-06 heard only the new-customer coupon while a camp and
# a referral campaign were running, a later one three messages)
_WHATS_ON = re.compile(r"(?<!打卡)(?<!签到)(?<!邀请)(?:有|有没有|有啥|有什么|有哪些|在搞|在做|在办|搞|办)"
                       r"(?:什么|啥|哪些|些)?(?:优惠|促销|福利|好玩的?|新的?)?活动(?!消息|信息|通知|推送)")


def asks_whats_on(text: str) -> bool:
    """The customer asks what activities are on."""
    return _WHATS_ON.search(heard(text)) is not None and is_question(text)


def asks_shop(text: str) -> bool:
    """The customer asks whether, or where, we have a shop online or on a marketplace."""
    return _ASKS_SHOP.search(text) is not None


def asks_together(text: str) -> bool:
    """The customer asks whether two products may be used together (ours with another brand's too)."""
    return _ASKS_TOGETHER.search(text) is not None and is_question(text)


def asks_order(text: str) -> bool:
    """The customer asks which product goes on first."""
    return _ASKS_ORDER.search(text) is not None


# Kinds of product customers ask for by name. Whether we sell one ("你们家防晒霜出了吗", "有卖防晒吗", "有没有洗面奶",
# "眼霜有吗") is answered, or offered, only by an entry that names it: the dry-skin cream's recommendation ("面霜") is
# no answer about sunscreen, nor is the pregnancy caution about face wash; the question goes where an unanswered one
# goes (the materials do not cover that product; a colleague knows). The kind ends its clause: "你们的精华液有没有
# 酒精" asks of an ingredient (persona/facts.py), not whether there is a serum.
_SOLD = (r"防晒霜|防晒乳|防晒喷雾|防晒|洗面奶|洁面乳|洁面|卸妆油|卸妆水|卸妆膏|卸妆乳|卸妆|眼霜|身体乳|润肤乳|护手霜|"
         r"面膜|精华液|精华|乳液|爽肤水|化妆水|水乳|面霜|保湿霜|口红|唇膏|唇釉|粉底液|粉底|气垫|隔离霜|隔离乳|"
         r"香水|洗发水|沐浴露|护发素|精油|磨砂膏|去角质|眼影|散粉|腮红|睫毛膏|眉笔|素颜霜|BB霜|CC霜|喷雾|安瓶")
_CLAUSE_END = r"(?=$|[，,。.？?！!～~\s])"
_ASKS_SOLD = re.compile(
    rf"(?:有没有|有木有|有无|有卖|有在卖|卖不卖|还有|有)[^，,。？?\s]{{0,6}}?(?P<a>{_SOLD})(?:卖|的)?"
    rf"[吗么嘛呢呀啊没不]*{_CLAUSE_END}|"
    rf"(?P<b>{_SOLD})[^，,。？?\s]{{0,2}}?(?:有吗|有没有|有木有|有卖吗|卖吗|卖不卖|出了吗|出了没|出了|出没出|上新了吗|"
    rf"上了吗|有货吗|有货没|还有吗)[吗么嘛呢呀啊没]*{_CLAUSE_END}", re.I)


# How or where to buy: "怎么买", "如何购买", "在哪下单", "哪里能买到", "去哪儿买", "哪里有卖", "在哪能买得到" (not
# "在哪买的" nor "买了怎么用", a purchase made).
_HOW_TO_BUY = re.compile(r"(怎么|怎样|咋|如何)(才能)?(买|下单|购买|订购|拍)(?![的了过])|"
                         r"(在|去|到|从)?(哪里|哪儿|哪|什么地方)(能|可以|才能)?(买|下单|购买|订购)(得到|到)?(?![的了过])|"
                         r"(哪里|哪儿|哪)(有|有得)卖")


def asks_how_to_buy(text: str) -> str:
    """The words of a message that ask how or where to buy ("怎么买", "在哪下单"); "" when it asks neither."""
    found = _HOW_TO_BUY.search(text)
    return found[0] if found else ""


def sold_asked(text: str) -> set[str]:
    """The kinds of product a question asks whether we sell ("有卖防晒吗": 防晒), or how to buy ("防晒霜怎么买",
    "洗面奶哪里能买到"); empty when it asks of none."""
    named = set(re.findall(_SOLD, text, re.I)) if asks_how_to_buy(text) else set()
    return {m["a"] or m["b"] for m in _ASKS_SOLD.finditer(text)} | named


def names_sold(entry: FaqEntry, text: str) -> bool:
    """The entry names every kind of product the question asks whether we sell, or how to buy (in its phrasings,
    keywords or answer), or the question asks of none. The where-to-buy entry names no product: how to buy one the
    knowledge base recommends ("面霜怎么买") is answered before (howtobuy.py `buying_entry`), one it names nowhere
    ("防晒霜怎么买", like "你们家防晒霜出了吗") is a question for staff, never the shops offered yes or no as if we sold
    it. An entry for whom the question says it is ("有适合孕妇用的面膜吗": the pregnancy entry) is said, the product
    it does not name said to be not in it (`untold_sold`)."""
    return not _unnamed_kinds(entry, text) or bool(_whom_spoken(entry, text))


def untold_sold(entry: FaqEntry, text: str) -> str:
    """The kinds of product a question asks for ("面膜") that the entry does not name, when the entry speaks of
    whom the question says it is for (孕妇, 宝宝: persona/followup.py FOR_WHOM): the caution for them is said, the
    product said to be not in it and asked of a person; "" otherwise."""
    return "、".join(_unnamed_kinds(entry, text)) if _whom_spoken(entry, text) else ""


def _unnamed_kinds(entry: FaqEntry, text: str) -> list[str]:
    told = _told(entry).lower()
    return sorted(kind for kind in sold_asked(text) if kind.lower() not in told)


def _whom_spoken(entry: FaqEntry, text: str) -> frozenset[str]:
    """Whom (or what state: pregnancy) the question says it is for that the entry speaks of too."""
    return clearly_named(text) & FOR_WHOM & spoken(entry)


# Whether the goods are genuine, asked: "你们卖的是真的吧", "保真吗", "是正品吗", "不会是假货吧", "东西是真货不" (not
# "我买到假货了", told; nor "真的吗" alone, disbelief of what was said).
_END = r"(?=$|[\s，,。.？?！!～~])"
_ASKS_GENUINE = re.compile(rf"(正品|真货|行货)(吗|么|嘛|吧|不|没|呀|啊|哈)|保真(吗|么|嘛|吧|不)?{_END}|"
                           r"是不是(正品|真货|假货|仿品|高仿)|"
                           rf"(卖|发|寄)的(东西|货|产品)?(都)?是真的(吧|吗|么|嘛)?{_END}|"
                           r"(不会|会不会)(是|买到|收到)?(假货|假的|仿品|高仿)|(假货|仿品|高仿)(吗|么|嘛)")
_TOLD_FAKE = re.compile(r"(买到|收到|拿到|到手|买的|收的)[^，,。？?\s]{0,4}(假|仿)")
# The plain question an entry on genuine goods answers, asked of the knowledge base when the customer's words leave
# it unsure ("你们卖的是真的吧" is only near "是正品吗").
GENUINE = "是正品吗"


def asks_genuine(text: str) -> bool:
    """The customer asks whether the goods are genuine (not: tells of a fake bought)."""
    return _ASKS_GENUINE.search(text) is not None and _TOLD_FAKE.search(text) is None and is_question(text)


def gives_genuine(entry: FaqEntry) -> bool:
    """The entry's answer says what is genuine ("官方渠道发出的都是正品")."""
    return _GIVES_GENUINE.search(entry.answer) is not None


def names_a_shop(text: str) -> bool:
    """The text names a shop, a marketplace, a store or the mini program ("除了小程序还能在哪买")."""
    return _GIVES_SHOP.search(text) is not None


def gives_shop(entry: FaqEntry) -> bool:
    """The entry's answer names a shop, a marketplace, a store or the mini program: somewhere to buy."""
    return _GIVES_SHOP.search(entry.answer) is not None


# How a thing is sold: as a set or alone, by the piece or by weight ("那个水乳是一套卖的吗", "面霜是单卖的吗",
# "能单独买吗", "可以拆开卖吗", "欧包是按斤称的吗"). Only an entry that speaks of it (a set, a single item, a price
# by the piece or the weight) answers or is offered for it: a product's own entry does not say whether it is sold
# alone, nor does the entry of genuineness. 下单, 订单, 买单 and 单独包装 ask nothing of it.
_SOLD_AS = (r"(?<![下订账买点清菜名运保货简])单(独|个)?(卖|买|拿|购买|出售|售)|"
            r"(拆开|拆着|拆|分开|分着|散)(卖|买|售)|散装|"
            r"(一|成|整|按|论)套[^，,。？?\s]{0,3}?(卖|买|售)|(是|只|必须|得|要)(一|整|成)套(的|吗|么|嘛|卖|买)|"
            r"套装卖|只卖套装|是套装|只买(?![过了])|(一个一个|按个|论个|单个)(卖|买|售)|(按|论)(斤|两|克|重量)|称重")
_ASKS_SOLD_AS = re.compile(_SOLD_AS)
# An entry speaks of it when it names sets or single items, a price per piece or weight or what a price is counted
# by ("按当日金价加工费计算" for "黄金按克还是按件"), or a part sent alone ("…缺哪块，免费补寄" for "零件丢了能单买吗").
_GIVES_SOLD_AS = re.compile(rf"{_SOLD_AS}|套装|一套|整套|成套|单品|组合装|单独(购买|买|卖|出售|售|寄|发)|每(斤|套)|"
                            r"每个\s*[\d一二两三四五六七八九十]|[元块]\s*[一每/]\s*(斤|个|套)|计价|算价|按[^，,。；;]{1,8}(计算|算|计)|补寄|补发")


@functools.lru_cache(maxsize=1024)  # asked of the same question once per candidate entry, twice (answer, offers)
def asks_sold_as(text: str) -> bool:
    """The question asks how a thing is sold: as a set or alone, by the piece or by weight (_SOLD_AS)."""
    return _ASKS_SOLD_AS.search(text) is not None


def sold_as_unspoken(entry: FaqEntry, text: str) -> bool:
    """The question asks how a thing is sold and the entry speaks of no set, single item or price per piece or
    weight, in its phrasings, keywords or answer."""
    return asks_sold_as(text) and _GIVES_SOLD_AS.search(" ".join((entry.answer, *entry.questions,
                                                                  *entry.keywords))) is None


def gives_what_is_asked(entry: FaqEntry, text: str) -> bool:
    """The entry's answer can answer what the question asks for: a price, an order of use, a shop (or, for where
    to buy without fakes, what is genuine), a name, the courier or way to pay it names, how long one lasts in use,
    how long something takes (a span, a day or a clock time: "要泡多久" is not answered by how to brew), when a
    refund's money comes back ("退款多久到账": an answer naming a refund or money coming back), whether two products
    go together (`asks_together`: an answer speaking of using things together),
    where a store is, the place on the body, or the child it names as the one who uses it, the elderly one, a
    child told of or skin after a procedure only when the question speaks of nothing else of the entry (else it is
    answered in part: `untold_detail`), the kind
    of product it asks whether we sell (`names_sold`), the thing it is to be free of ("无麸质的": `_FREE_OF`), and
    what a pick asked for what it does is to do ("喝点啥茶能提神": `_does_unspoken`), and how a thing is sold
    ("面霜是单卖的吗": `sold_as_unspoken`)."""
    return ((not asks_price(text) or gives_price(entry))
            and (not asks_lasting(text) or _GIVES_LASTING.search(entry.answer) is not None)
            and (not asks_span(text) or _GIVES_SPAN.search(entry.answer) is not None)
            and (_ASKS_REFUND_TIME.search(text) is None or _GIVES_REFUND_TIME.search(entry.answer) is not None)
            and (not asks_store_place(text) or _GIVES_PLACE.search(entry.answer) is not None)
            and (not asks_order(text) or _GIVES_ORDER.search(entry.answer) is not None)
            and (not asks_together(text) or _GIVES_TOGETHER.search(entry.answer) is not None)
            and (not asks_shop(text) or _GIVES_SHOP.search(entry.answer) is not None
                 or (_SAFE_BUY.search(text) is not None and _GIVES_GENUINE.search(entry.answer) is not None))
            and (not asks_name(text) or _GIVES_NAME.search(entry.answer) is not None)
            and _gives_named(entry, text) and names_who_and_where(entry, text) and _speaks_of_extras(entry, text)
            and (not _user_unspoken(entry, text) or _of_the_entry(entry, text))
            and (not _man_unspoken(entry, text) or _of_the_entry(entry, text))
            and names_sold(entry, text) and not beside_the_point(entry, text) and not _free_of_unspoken(entry, text)
            and not _does_unspoken(entry, text) and not sold_as_unspoken(entry, text))


# "你们有爽肤水吗 我想配着面霜一起用": the question asks whether there is a thing; the words the entry shares are in
# the clause told beside it. An entry that speaks of nothing the question clause asks for is beside the point.
_PARTS = re.compile(r"[，,。.！!？?~～\s]+")
# "这种活动", "那样的课": what the clause before named
_POINTS_BACK = re.compile(r"^(?:有没有|有|还有)?(这|那)(种|样|类|些)")


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if not set(text[i:i + 2]) & FILLER}


def beside_the_point(entry: FaqEntry, text: str) -> bool:
    """In a message of several clauses, each question clause asks whether there is something, and for a
    thing the entry's phrasings, keywords and answer never name (two characters in a row), nor a shop
    concept the entry speaks of ("有券可以领吗": the coupon's). A thing pointed back at ("周末想带娃学做蛋糕 有这种
    活动吗": 这种, 那样的) is the clause before it, which the entry may well name."""
    parts = [p for p in _PARTS.split(text) if p]
    asking = [p for p in parts if is_question(p)]
    asked = [x for p in asking for x in asked_if(p)]
    if len(parts) < 2 or not asked or any(not asked_if(p) or _POINTS_BACK.match(p) for p in asking) or any(
            _POINTS_BACK.match(x) for x in asked):
        return False  # "孕妇能用吗 还有能直接寄到她家吗": another question the entry may answer
    told = _pairs(" ".join((entry.answer, *entry.questions, *entry.keywords)).replace(" ", ""))
    return not any(_pairs(x) & told or topics(x) & spoken(entry) for x in asked)


# A change asked of an order or a product: "订了个8寸的 能改成10寸吗", "蛋糕能做成卡通造型吗". Only an entry that speaks
# of changes or of made-to-order designs is a plausible reading (猜你想问 offers no other: the sizes or the
# cancelling entry say nothing of changing one; a courier named is asked of by `_gives_named`).
_CHANGE = re.compile(r"改成|改为|改到|换成|换到|调成|做成|弄成|定做|定制")
_GIVES_CHANGE = re.compile(r"改|换|调整|定制|定做|做成|造型|款式|图案|样式|可选")
# What a question asks whether we sell, in a trade's own words ("有没有咖啡卖", "有卖奶茶吗", "你们有披萨吗"): a name
# of two to five characters that is no shop concept, kind, pointer (这种) nor asking word.
_ANY_SOLD = re.compile(r"(?:有没有|有木有|有卖|有在卖|卖不卖|卖)(?P<a>[\u4e00-\u9fff]{2,5}?)"
                       r"(?:卖|吗|么|嘛|呢|呀|啊|没|不)*$|"
                       r"^(?:你们|你家|你们家|店里|这边)?有(?P<b>[\u4e00-\u9fff]{2,5}?)(?:卖)?(?:吗|么|嘛|没|不)$")
_NOT_A_THING = re.compile(r"^(这|那|什么|啥|哪|别的|其他|其它|人|优惠|活动|福利|推荐|问题|办法|时间|链接|现货|货)|的$")


def change_unspoken(entry: FaqEntry, text: str) -> bool:
    """The question asks a change (_CHANGE) and the entry speaks of none; a courier named is `_gives_named`'s."""
    return (_CHANGE.search(text) is not None and _NAMED.search(text) is None
            and _GIVES_CHANGE.search(" ".join((entry.answer, *entry.questions, *entry.keywords))) is None)


def thing_asked(text: str) -> str:
    """The thing a clause asks whether we sell ("有没有咖啡卖": 咖啡), when it names no shop concept nor kind."""
    for clause in (c for c in _PARTS.split(text) if c):
        found = _ANY_SOLD.search(clause)
        thing = found and (found["a"] or found["b"])
        if thing and _NOT_A_THING.search(thing) is None and not topics(thing) and not kinds(thing):
            return thing
    return ""


def names_thing_asked(entry: FaqEntry, text: str) -> bool:
    """The entry names the thing the question asks whether we sell (`thing_asked`), or the question asks of none:
    "都卖什么茶" is no reading of "有没有咖啡卖"."""
    thing = thing_asked(text)
    return not thing or thing in " ".join((entry.answer, *entry.questions, *entry.keywords))


# Concepts no demo entry speaks of (persona/followup.py TOPICS: gift cards, samples, stock, pilling, gift wrapping,
# acne): a question naming one is never answered by an entry that does not ("买面霜送不送小样啊", "会搓泥吗", "用面霜
# 会不会冒痘" are no dry-skin recommendation, "有礼盒包装吗" no question of genuineness).
_EXTRAS = frozenset({"gift_card", "samples", "stock", "pilling", "gift_wrap", "acne"})


def _speaks_of_extras(entry: FaqEntry, text: str) -> bool:
    extras = clearly_named(text) & _EXTRAS
    return not extras or extras <= spoken(entry)


def speaks_of(entry: FaqEntry, text: str) -> bool:
    """The entry speaks of what the question is about: of a shop concept it names clearly besides whom it
    is for, if it names one ("全成分表": the ingredients, which the cream's recommendation never mentions;
    "未成年能办卡吗": the children's entry will do; persona/followup.py `topics`), and of every kind it
    names ("敏感肌能用吗": the pregnancy entry names no skin type) in its phrasings or keywords, not only of
    other kinds of product than the question's (persona/followup.py `other_product`), and of how things are sold
    when it asks that (`sold_as_unspoken`). An entry
    that does not is no plausible reading of the question (猜你想问, clarify.py)."""
    named = clearly_named(text)
    return ((not named - FOR_WHOM or bool(named & spoken(entry)))
            and kinds(text) <= kinds(" ".join(entry.questions + entry.keywords))
            and not other_product(entry, text)  # "面膜可以天天敷吗": never the entry about 卸妆油
            and not sold_as_unspoken(entry, text))  # "那个水乳是一套卖的吗": never "是正品吗"


# "你们周末发货吗", "过年期间还发货不", "国庆放假能送到吗": a day the question names of a service kept in time
# (shipping, opening hours, delivery, bookings). An answer that names no day of that family ("48 小时内发出",
# nothing of the weekend) answers in part: it is said as it is, with the day said to be not in it, never as if
# it were.
_DAYS = (
    ("周末", "周六", "周日", "星期六", "星期天", "星期日", "礼拜六", "礼拜天", "礼拜日", "双休"),
    ("节假日", "法定假日", "法定节假日", "假期", "放假", "长假", "过年", "春节", "年前", "年后", "除夕", "国庆", "五一",
     "劳动节", "中秋", "元旦", "端午", "清明", "双十一", "双11"),
)
_ANY_DAY = re.compile(r"每天|天天|全年无休|无休|节假日照常|365")
_TIMED = frozenset({"shipping", "hours", "delivery", "booking"})


def untold_detail(entry: FaqEntry, text: str) -> str:
    """What a question asks of the entry's subject that the entry never speaks of, to be said to be not in it:
    an elderly user of what it recommends ("你们那个面霜老人家能用吗": "老人家能不能用"), a child ("小孩子皮肤干 可以用
    你们的面霜吗"), skin after a procedure ("做完光子嫩肤可以用保湿霜吗": "做完光子能不能用"; `gives_what_is_asked`
    leaves the entry out when the question speaks of nothing else of it), an ingredient ("你们的面霜成分安全吗 有没有
    香精": `untold_ingredient`), the day of a service kept in time (`untold_day`), or a remote region shipped to
    (`untold_remote`)."""
    if not is_question(text):
        return ""
    user = _user_unspoken(entry, text)
    return (f"{user}能不能用" if user
            else untold_sold(entry, text) or untold_ingredient(entry, text) or untold_day(entry, text)
            or untold_sale(entry, text) or untold_remote(entry, text))


# Regions couriers treat apart (longer, dearer or not at all): "其他地区 2-4 天" is no promise for them.
_REMOTE = (("偏远地区", "偏远"), ("新疆",), ("西藏",), ("青海",), ("内蒙古", "内蒙"))
_REMOTE_RE = re.compile("|".join(w for family in _REMOTE for w in family))


def untold_remote(entry: FaqEntry, text: str) -> str:
    """A remote region a question about shipping names ("那偏远地区呢" after the shipping answer, "新疆能发货吗 要几天")
    that the shipping entry names nowhere, by any of its names (偏远 covers them all); "" otherwise."""
    found = _REMOTE_RE.search(text)
    if found is None or not spoken(entry) & {"shipping", "delivery"}:
        return ""
    told = _told(entry)
    region = _unnamed(found[0], _REMOTE, told)
    return region[0] if region and "偏远" not in told else ""


# Whether a product holds an ingredient customers avoid: "有没有香精", "含不含酒精", "有防腐剂吗", "加了色素没".
_INGREDIENT = (r"香精|香料|酒精|乙醇|防腐剂|色素|激素|矿物油|水杨酸|烟酰胺|果酸|视黄醇|A醇|荧光剂|重金属|"
               r"羟苯\w{0,2}酯|尼泊金|硅油")
_HOLDS = re.compile(rf"(?:有没有|有无|含不含|含没含|加没加|添不添加|有不有|是不是有|会不会有)(?:添加)?"
                    rf"(?:{_INGREDIENT})|"
                    rf"(?:有|含|含有|加了|添加了?)(?:{_INGREDIENT})(?:吗|么|嘛|没|没有|不)|"
                    rf"(?:{_INGREDIENT})(?:有吗|有没有|含量)")


def untold_ingredient(entry: FaqEntry, text: str) -> str:
    """Whether what the entry recommends holds an ingredient it never names ("有没有香精" of the dry-skin cream,
    whose answer names its ceramides and squalane only): the asking words ("有没有香精"); "" when the entry names
    that ingredient or the question asks of none."""
    found = _HOLDS.search(text)
    if found is None:
        return ""
    told = _told(entry)
    ingredient = re.search(_INGREDIENT, found[0])
    return "" if ingredient is None or ingredient[0] in told else found[0]


# A shopping festival or sale of its own ("双十二有活动吗", "双11有什么优惠吗", "年货节打折不"), each with the names
# it goes by: the deals entry ("新朋友可以领一张…券") says what there is now, not what that sale will bring.
_SALES = (("双十二", "双12", "1212"), ("双十一", "双11", "1111"), ("618", "六一八"), ("年货节",),
          ("女神节", "三八节", "妇女节"), ("黑五", "黑色星期五"), ("圣诞",), ("情人节",), ("七夕",), ("店庆", "周年庆"),
          ("年中大促",), ("年终大促", "年末大促"), ("开学季",))
_SALE = re.compile("|".join(rf"(?<!\d){re.escape(w)}(?!\d)" for family in _SALES for w in family))


# Who a deal is asked for, right before the deal ("有学生优惠吗", "老客户有没有折扣", "老师有优惠不"), each with the
# names they go by: the new friends' coupon is no student discount.
_AUDIENCES = (("学生", "学生党", "大学生"), ("老客", "老顾客", "老客户", "回头客", "老粉"), ("老师", "教师"),
              ("军人", "军属"), ("医护", "护士"))
_WHOM = "|".join(re.escape(w) for family in _AUDIENCES for w in sorted(family, key=len, reverse=True))
_AUDIENCE = re.compile(rf"({_WHOM})(?:有没有|有啥子?|有什么|有|的|专属的?|专享的?|能有|能)?"
                       r"(?:优惠|折扣|打折|福利|价|特价|减免)")


def _told(entry: FaqEntry) -> str:
    """All an entry says: its answer, phrasings and keywords."""
    return " ".join((entry.answer, *entry.questions, *entry.keywords))


def _unnamed(found: str, families: tuple[tuple[str, ...], ...], told: str) -> tuple[str, ...]:
    """The family of names `found` belongs to when `told` uses none of them; () when it names one."""
    family = next(f for f in families if found in f)
    return () if any(w in told for w in family) else family


def untold_sale(entry: FaqEntry, text: str) -> str:
    """The sale a question about deals names ("双十二") that the deals entry names nowhere, by any of its
    names, or whom it asks a deal for ("学生" in "有学生优惠吗": "学生专属优惠"); "" when there is none, the entry is
    not about deals, or it names that sale or those customers."""
    bare = text.replace(" ", "")
    if "discount" not in spoken(entry):
        return ""
    told = _told(entry)
    if (found := _SALE.search(bare)) is not None:
        return found[0] if _unnamed(found[0], _SALES, told) else ""
    if (whom := _AUDIENCE.search(bare)) is not None:  # "学生党 有没有便宜点的" tells who asks, not of a deal for them
        they = _unnamed(whom[1], _AUDIENCES, told)
        return f"{they[0]}专属优惠" if they else ""
    return ""


def untold_day(entry: FaqEntry, text: str) -> str:
    """The day a question about a service kept in time names ("周末") that the entry's answer and phrasings
    speak of nowhere, in no word of its family ("周末" covers "周六"); "" when there is none, or the entry is
    not about such a service (the cream's recommendation is no answer about days: "过年送长辈" is a gift)."""
    if not is_question(text) or not spoken(entry) & _TIMED:
        return ""
    told = _told(entry)
    if _ANY_DAY.search(told):
        return ""
    for family in _DAYS:
        asked = next((w for w in sorted(family, key=len, reverse=True) if w in text), "")
        if asked and not any(w in told for w in family):
            return asked
    return ""
