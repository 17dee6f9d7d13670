"""Is a customer's message a product suggestion? A small rule set, chosen to miss rather than to
cry wolf: staff read every hit in /suggestions, and a tag follows from repeats.

A message is a suggestion when it proposes something the brand could make or change:
- it offers advice: 建议… / 提个建议 / 有个意见 (not when the customer asks for advice:
  有什么建议、求建议、建议我用哪个);
- it wishes for a product or a change: 希望(你们)(能)出/推出/增加/改/优化…,
  能不能/可不可以/能否 出/推出/增加/优化…, 期待出…, 为什么不出…, 出个/出一款…,
  要是能/如果有/如果能 … 就好了/会更好 (a bare 如果有 is a condition: "如果有优惠告诉我");
and it is not about an order or the service (发货、快递、物流、退款、发票、客服、回复 …):
"希望你们早点发货" is a complaint for the service queue, not a product idea, and "能不能出发票"
asks for an invoice. Nor is giving up on an offer ("满199才能用啊 那算了", "凑不够"), nor having found
what the persona pointed to ("哦哦找到了 在底下那个小字"), nor the customer's own skin ("我皮肤很干").

The rules are the fast first pass of `rule_verdict`: a rule hit is a suggestion, a service
matter, a command, a check-in, a question or a request for advice never is, and anything else of a
sentence's length is left to the knowledge model (model.py), which finds the suggestions phrased
without the rule words ("包装太难撕了，换个设计吧").
"""

from __future__ import annotations

import re

from persona.matcher import kinds

_OUT = r"出(?!来|门|去|发|库|货|票|单|差)"  # 出 as in "make" (出新品), not 出来/出门/出发票
_PRODUCT = rf"(?:{_OUT}|推出|上新|上架|增加|多出|开发|研发|改进|改良|优化|升级)"
_CHANGE = rf"(?:{_PRODUCT}|做|改|换|加|提供|考虑)"
_WISH = re.compile(
    rf"希望[^。！？!?，,]{{0,6}}?{_CHANGE}"
    rf"|(?:能不能|可不可以|能否|有没有可能|是否可以|可以考虑)(?:再|也|多)?{_PRODUCT}"
    rf"|期待(?:你们)?(?:能)?(?:{_OUT}|推出|上新)"
    rf"|为什么不(?:{_OUT}|做|推出|增加)"
    rf"|{_OUT}(?:个|一款|一个|一套|一种)"
    rf"|(?:要是|如果|假如)(?:能|有|再)[^。！？!?]{{1,24}}(?:就好了|就更好了|会更好|更好了|多好|就完美了|该多好)"
)
_ADVICE = re.compile(r"建议|提(?:个|点|一点|一个)?(?:建议|意见)|有个(?:小)?(?:建议|意见)|小建议")
_ASKS_ADVICE = re.compile(
    r"(?:什么|啥|给点|给个|给些|求|请|有没有|能不能给|可以给)(?:些|点|个)?建议"
    r"|建议(?:我|一下我|下我)?(?:用|买|选|入|搭配|怎么|哪)"
    r"|(?:你|您|你们|小柚|老师)的建议|谢谢(?:你|您)?(?:的)?建议|听(?:你|您)的建议"
    r"|建议[^。！？!?]{0,12}[吗呢？?]$|(?:你|您)们?(?:有什么)?建议|(?:什么|啥)[^。！？!?，,]{0,3}建议"
)
# An order, a delivery or the service: a wish about these is a service matter, not a product idea.
_SERVICE = re.compile(
    r"发货|出货|快递|包裹|打包|破损|漏了|是漏的|漏液|洒了|撒了|碎了|摔坏|压坏|坏了|少发|漏发|发错|错发|物流|到货|送到|送达|早点到|快点到|收到货|签收|单号|地址|退款|退货|换货|退钱|发票|开票|订单|售后"
    r"|客服|回复|回我|处理一下"
)
# Asking, not proposing, for the texts no rule took: "有没有无香的", "那你们店里有没有口红卖",
# "含不含酒精", "该用什么", "推荐哪个", "大瓶划算还是小瓶划算", what a thing is for ("外盒上那个刮开的码是干嘛用的"),
# a closing 吗 or 没 ("你们杭州下雪没", not "还没").
# A proposal put as a question ("能不能出个…吗") is a rule hit first.
_ASKS = re.compile(
    r"^(?:那|请问|问下|你们|您们|你家|店里|家里|这边|这里)*有没有(?!可能)|有没有(?!可能)[^。！？!?，,]{1,12}(?:卖|在卖|出售|现货)$"
    r"|([含是会好用适贵])不\1|(?:该|应该)(?:用|买|选|换|入|挑)|推荐(?:哪|什么|啥|一下|一款|个)"
    r"|要不要|值不值|[吗么][？?！!。~～]*$|(?<![还都也并从就又])没[？?！!。~～]*$"
    r"|还是.{1,10}(?:划算|合适|好|呢)[？?]?$|(?:用|买|选|换)(?:什么|哪个|哪款|啥)"
    r"|(?:干嘛|干啥|干什么|做什么|做啥)用|是(?:干嘛|干啥)的|有(?:什么|啥)用"
)
# How much, how long, when, where, with nothing proposed beside it: "你们的防晒霜SPF多少" (the model heard a suggestion
# in it: the console tour of 2026-12-05), not "身体乳改成大泵头的吧，一次按不出多少".
_UNIT = r"(?:钱|块|元|天|岁|号|点|毫升|ml|g|克|片|支|瓶)"
_ASKS_FACT = re.compile(rf"(?:多少{_UNIT}?|多久|多大|几{_UNIT}|什么时候|啥时候|在哪(?:里|儿)?|哪里|哪儿)"
                        r"[呀啊呢吗嘛]?[？?！!。~～]*$")  # the question word ends it, as a question of fact does
_PROPOSES = re.compile(r"改|换|做成|做个|加|配|来个|出个|希望|就好|更|吧")
# How to use a thing asked in a first clause the customer then explains, proposing nothing ("你们的眼霜能和A醇一起用吗，
# 我用的是某某品牌的0.3%": /suggestions listed it, the sandbox tour of 2026-12-06), not a proposal put as a question
# ("价签能贴在外包装上吗，送人的时候撕不掉很尴尬", "包装换个设计好吗，太难撕了").
_ASKS_USE_THEN_TELLS = re.compile(r"(?:用|涂|抹|搭配|一起|叠加|混)[^，,。！？!?]{0,4}[吗么][？?！!~～]*[，,]")
_CHECKIN = re.compile(r"打卡|签到")
# Spending points, the customer's own redemption ("兑换 柚子小样礼包", "我想换柚子小样礼包", "用积分换个小样",
# "取消兑换": /suggestions listed the first, the staff tour of 2026-12-06), or their own exchange of goods
# ("我想换个颜色"): no idea for the brand. A wish about the points programme ("积分兑换多加点正装的选项")
# is not led this way.
_REDEEMS = re.compile(r"^(?:好的?|嗯+|那|行)?我?(?:想|要|想要)?(?:用积分)?(?:确认|确定|取消|不)?兑换"
                      r"|^(?:好的?|嗯+|那|行)?我?(?:想|要|想要)(?:用积分)?换|^(?:那|我)?用积分换"
                      r"|^(?:那|那就|就)?换(?:第|那个|这个|那款|这款|那份|这份|最便宜)")  # one "积分兑换" listed
# Giving up on an offer or a purchase ("满199才能用啊 那算了 我就买一个凑不够"), or leaving ("栓Q 溜了溜了"): no idea
# for the brand.
_DECLINE = re.compile(r"(那|就|还是)?算了|不用了|不要了|不需要了|凑不够|凑不到|用不上|不买了"
                      r"|溜了|撤了|先走了|下线了|拜拜|再见|886")
# Found what the persona pointed to ("哦哦找到了 在底下那个小字 好嘞"): an ok, no idea for the brand.
_FOUND = re.compile(r"^(?:哦+|噢+|喔+|啊+|嗯+)?我?(?:找到|看到|看见|找着)(?:了|啦)")
# The customer's own skin told ("我皮肤很干", "我是干皮 冬天脸特别紧"): a kind of skin (the matcher's kinds) with
# nothing of ours nor anything to make ("可以考虑做一个敏感肌测试装" proposes), no idea for the brand whatever the
# model hears in it.
_OURS_OR_MAKING = re.compile(r"你们|你家|您家|贵店|产品|面霜|精华|乳液|水乳|包装|瓶|这款|这个|款|系列|配方|质地|味道|"
                             r"版|装|出|做|推|考虑|希望|建议|要是|如果|就好|应该|能不能|可不可以")


def _own_skin(text: str) -> bool:
    return any(group == 0 for group, _ in kinds(text)) and _OURS_OR_MAKING.search(text) is None


MAX_CHARS = 300  # a long paste is no suggestion we can act on
MIN_CHARS = 5  # "出个小瓶吧" is the shortest; "好的谢谢" and "在吗" are not worth the model's time
_PUNCT = re.compile(r"[\s\W_]+")


def rule_verdict(text: str) -> bool | None:
    """True: a suggestion by the rules; False: never one (empty, too long, a command, a service
    matter, a question or a request for advice, a check-in, too short to judge); None: the
    knowledge model decides."""
    t = re.sub(r"\s+", "", text or "")
    if not t or len(t) > MAX_CHARS or t.startswith("/") or _SERVICE.search(t):
        return False
    if _WISH.search(t):
        return True
    if _ADVICE.search(t):
        return not _ASKS_ADVICE.search(t)
    proposes = _PROPOSES.search(t) is not None
    asks_fact = not proposes and (_ASKS_FACT.search(t) is not None or _ASKS_USE_THEN_TELLS.search(t) is not None)
    if (_ASKS_ADVICE.search(t) or _ASKS.search(t) or asks_fact or _CHECKIN.search(t) or _REDEEMS.match(t)
            or _DECLINE.search(t)
            or _FOUND.match(t) or _own_skin(t) or len(_PUNCT.sub("", t)) < MIN_CHARS):
        return False
    return None


def is_suggestion(text: str) -> bool:
    """True when the rules alone say the customer proposes a product or an improvement."""
    return rule_verdict(text) is True
