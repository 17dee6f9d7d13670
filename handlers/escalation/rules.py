"""What needs a human: Chinese question forms, sensitive topics, asking for a person, VIPs.

Pure functions over the text and the customer's facts, so the rules are easy to test and to
explain to an operator; the config (`[escalation]`) holds every word list.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Collection

from handlers.escalation.config import EscalationConfig, parse_topics
from handlers.escalation.scam import impostor_topic
from persona.keywords import any_word, said_where
from storage.models import Customer

# A question mark (half or full width) anywhere, or a question particle at the end.
_MARK = re.compile(r"[?？]")
# The particle may be followed by punctuation and emoji ("老客户就没点福利吗🙄").
# "加了防腐剂没": V了 with what, then 没 (the sandbox read it as a statement told)
_PARTICLE_END = re.compile(r"(吗|么|呢|嘛|不|ma|mo|了没有?|过没有?|(加|含|放|添加|用)了[^\s，,。]{1,6}没有?)"
                           r"[\s。.!！~～…\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]*$")
# A clause ends at punctuation or a space, or, in voice input run on without either, at 吗 before the next clause's
# subject ("我昨天下的单今天能发吗我明天要出差").
_CLAUSE_BREAK = re.compile(r"[，,。；;\s]+|(?<=吗)(?=我|你|他|她)")
# ... or a clause ending in A不 ("包装能弄得好看点不 送人的", "寄到学校能收到不"), but not 要不 / 还不 / 都不
# ("我要不 算了"), or "what about X" ("美白那个呢 我天天晚上都在涂", "拆了的呢 另一瓶我试了一下"), but not
# "我在上班呢 好累" nor the cutesy "好的呢", or asking to confirm with 吧 ("地址下单的时候直接填成都的就行吧",
# "是正品对吧", "没开过的放三年也没事吧"), but not agreeing ("行吧", "那就这样吧", "好吧"), or not finding what
# the shop told of ("瓶底没找到生产日期啊": where is it?).
# "你们出眼霜了没", "你们沈阳有实体店没" (X了没, 有X没), "还没拆 能用吧", Shanghainese 伐 and Cantonese 唛 ask too.
_ASKING_CLAUSE = re.compile(r"(吗|么|嘛|伐|唛)$|(?<=.)了没有?$|^[^，,。]{0,6}有(?!点)[^，,。说]{1,8}没有?$|"
                            r"^(还)?(能|可以)用吧$|"
                            r"(?<=[能以行好在贵用点有是对会得到])不$|^那[^，,。]{1,8}呢$|"
                            r"(那个|那款|那种|那瓶|(?<![好是对])的)呢$|"
                            r"(?<=[\u4e00-\u9fff]{2})(就行|就可以|就能[\u4e00-\u9fff]{0,2}|对|是|没错|没问题|没事|没关系|能用)吧$|"
                            r"(没有?(找到|看到|看见)|找不到|找不着|看不到|看不见|没找着)(那个|这个)?"
                            r"(生产日期|日期|保质期|批号|防伪码|二维码|说明书?|成分表?|入口|按钮|优惠券|券|链接|积分|会员卡?)")
# Question words; "几"/"多" only in their asking forms so 几乎/多谢 stay statements.
_WORDS = re.compile(r"怎么|怎样|咋|如何|为什么|为啥|什么|啥|干嘛|哪|谁|肿么|神马|多[重高宽厚贵远深]|"
                    r"几[个天次号点岁种块瓶盒年月周件斤折包片粒位张]|多少|多久|多长|多大|"
                    r"是否|系咪|系唔系|有冇|几耐|点样|几时|边度|边个|得唔得|(只能|只有|只在)[^，,。]{1,8}还是|还是也|能不能|能否|可不可以|可以.{0,10}吗|有没有|是不是|会不会|要不要|行不行|好不好|请问|求问|"
                    # Asking for a pick or a recommendation: 推荐一下, 求推荐, 帮我选, 大瓶好还是小瓶好.
                    r"(?P<ab>[\u4e00-\u9fff])不(?P=ab)|"  # 招不招, 卖不卖, 包不包邮: a yes-or-no question
                    r"推荐(一下|下|一款|一个|个|款|点)|求推荐|给.{0,3}推荐|帮(我|忙)(选|挑)|好还是|还是.{0,8}好[呢呀啊]?$|"
                    # A choice between two: 晚上用还是早上用, 先用精华还是先用面霜, 洗掉还是不洗.
                    r"(?P<a>.)还是.{1,8}(?P=a)[呢呀啊]?$|先.{1,8}还是先|(?P<b>.).{0,2}还是不(?P=b)|"
                    # How it is sold, a choice: 欧包是一个一个卖还是按斤称的, 是单卖还是一套卖的.
                    r"卖还是|还是(按|论|单卖|单买|一套|整套|成套|套装|拆开)|"
                    # Back to a question asked before: "上周问过你们 干皮用保湿霜那个", "之前问的那个券".
                    r"问过(你|你们|您|客服|小柚)|(上次|之前|以前|前几天|上周|上个月|昨天|刚才|刚刚)(我)?(问过|问的|咨询过|咨询的)")
# Asking whether what was heard is true ("我女朋友说你们家面霜挺好用的 真的假的", "听说…是真的吗"): a question
# even without a question mark.
# "你们卖的是真的吧", "不会是假货吧": asking to be told it is so (the sandbox heard anger in the first).
_ASKS_IF_TRUE = re.compile(r"真的假的|是真是假|是不是真的|(是)?真的吗|真的(有)?(这么|那么)?好用(吗|么|嘛)|"
                           r"(卖|发|寄)的是(真的|真货|正品|正货)吧|不会是(假的|假货)吧")
# Someone in the customer's life, not the shop ("问问她", "我妈").
_OTHERS = (r"(她|他|她们|他们|我妈|妈妈|老妈|我爸|爸爸|老爸|老公|老婆|男朋友|女朋友|男友|女友|对象|闺蜜|朋友|"
           r"婆婆|孩子|儿子|女儿|家里人|我姐|我妹|姐姐|妹妹|同事|室友)")
# Fixed phrases that contain a question word but are statements.
# "谁都可以用", "谁知道呢", "谁让我嘴馋": 谁 that asks nobody.
_NOT_QUESTION = re.compile(r"没什么|没啥|没干嘛|不怎么|什么的|不知道为什么|怎么都行|哪里哪里|好不好都行|"
                           r"(.)不\1都(行|可以|好)|谁都|谁也|谁知道[呢啊呀吧嘛]*$|谁让|谁叫|"
                           # anything at all, told: "我用啥都过敏", "吃什么都不香"
                           r"(用|吃|涂|擦|抹|买|穿)(啥|什么)(都|也)|"
                           # a question the customer will ask someone else: "回头问问她喜欢啥"
                           rf"(问问|问一下|问下|问一问)(看)?(我)?{_OTHERS}[^，,。；;？?]{{0,8}}?(啥|什么|哪[个款种]?|多少|怎么样)|"
                           # "see whether", a plan told: "那我再等等 看你们后面上不上新吧", "我看看卖不卖小样再说"; not
                           # asking us to look ("帮我看看发不发货", "你看上不上新")
                           r"(?<![帮你您请看])(?<!帮我)(?<!帮忙)(?<!麻烦)看(?!起来|上去|着|来)(看|一下|下)?[^，,。；;\s？?]{0,8}?"
                           r"(?P<see>[\u4e00-\u9fff])不(?P=see)[^，,。；;\s？?吗么呢嘛]{0,3}?(吧|再说|呗)?(?=$|[，,。；;\s])|"
                           # approval exclaimed, not asked: "还挺快的嘛", "还不错嘛", "不错不错"
                           r"(还|挺|蛮|真|还挺|还蛮|也)(不错|快|好|可以|方便|给力|靠谱)(的)?(嘛|啊|呀)$|不错(不错)+|"
                           # counted, not asked: "痒了好几天", "前几天买的", "这几个月"
                           # (not "那几月开始能订", "那几天能到": 那 there leads a question in)
                           r"(好|前|这|头)几[个天次年月周件瓶盒罐支](月|礼拜)?|"
                           r"那几[个天次年月周件瓶盒罐支](月|礼拜)?(?!开始|能|可以|才|会|到|发|送|出|有)")


def asks_if_true(text: str) -> bool:
    """Asks whether what was heard is true ("…挺好用的 真的假的"): one of is_question's cues."""
    return _ASKS_IF_TRUE.search(text) is not None


# A question in English without its "?": "Can I pay with a credit card", "how long does shipping take", after an ok
# or another clause ("ok what about within China, how long does it take").
_ENGLISH_ASKS = re.compile(r"(?:[^\u4e00-\u9fff,;]*[,;] ?)?"
                           r"(?:(?:and|but|so|then|also|ok|okay|oh|well|hi|hello|hey),? )*"
                           r"(?:can|could|do|does|did|is|are|was|were|will|would|should|shall|may|have|has|how|what|"
                           r"when|where|which|who|why)\b[^\u4e00-\u9fff]*$", re.I)


# Memoised: a kf text is asked whether it is a question by many readers (reading.py, escalation, queue,
# smalltalk...: about eight times per message), and the same short texts recur ("多少钱", "好的").
@functools.lru_cache(maxsize=1024)
def is_question(text: str) -> bool:
    """True for questions as customers type them: "？", "吗/呢" endings, or words like 怎么/多少/能不能."""
    text = text.strip()
    if not text:
        return False
    if _MARK.search(text) or _ASKS_IF_TRUE.search(text) or _ENGLISH_ASKS.match(text):
        return True
    cleaned = _NOT_QUESTION.sub("", text)
    # "你们上海有实体店吗 想去试试": a clause ending in 吗 asks wherever it stands ("我在上班呢 好累",
    # "我要不 算了" do not: 呢 and 不 ask only at the end).
    return bool(_PARTICLE_END.search(cleaned) or _WORDS.search(cleaned)
                or any(_ASKING_CLAUSE.search(c) for c in _CLAUSE_BREAK.split(cleaned) if c))


# Asking the shop to do something, not asking a question ("给我退款", "帮我查一下物流", "麻烦开一下专票", "我要开发票");
# not "给我妈买个面霜" (whom a gift is for) nor "给我的感觉很好".
_REQUEST = re.compile(r"(^|[，,。；;\s])(请|麻烦|劳驾|拜托)?(你|你们|您|小柚)?"
                      r"(帮我|帮忙|给我|替我|帮我们|给我们|请你|请您)(?!妈|爸|老|家|男|女|闺|朋|姐|妹|哥|弟|儿|孩|买|挑|选|的|一种|感觉)|"
                      r"(^|[，,。；;\s])(麻烦|劳驾|拜托)(你|您|你们)?(帮|给|把|开|查|改|看|处理|安排|发|寄|退|换|催|备注)|"
                      # "我要开发票", "需要改地址", "我要退货": a want with the thing to be done to; not a feeling or a
                      # wish for oneself ("我要开心一点", "需要加油", "需要补水")
                      r"(^|[，,。；;\s])(我|我们)?(要|想要|需要)(取消|申请|催|退货|退款|退钱|退订|退掉|换货|补发|寄回|退回|"
                      r"(开|退|换|改|寄|发|补|加|备注)(个|一下|下|一张|张|了)?"
                      r"(发票|专票|普票|票|订单|单子?|地址|收货|货|款|钱|快递|包裹|电话|手机号?|号码|颜色|色号|尺码|"
                      r"规格|款式|备注|赠品|小样|微信|时间|一个|一瓶|一罐|一份))|"
                      r"(^|[，,。；;\s])(快点|赶紧|尽快|马上)(给我|帮我)?(处理|发|退|回复|安排|办)")


def is_request(text: str) -> bool:
    """Asks the shop to do something and is no question ("给我退款"; not "能帮我查一下吗")."""
    return not is_question(text) and _REQUEST.search(text.strip()) is not None


# "你是真人还是机器人", "是不是真人", "是人工吗": asking what the persona is (the honest robot answer),
# not asking for a person; "我要真人", "转真人客服" still are.
_WHAT_ARE_YOU = re.compile(r"(是不是|是|还是)(个|一个)?(真人|人工|活人)(还是|吗|么|嘛|呢|啊|呀|[?？]|$)")


# "刚才发错了 不好意思": the customer's own slip, not goods sent wrong (收货问题).
_OWN_SLIP = re.compile(r"(我|刚才|刚刚|不小心|手滑)[^，,。；;\s]{0,2}(发错|打错|点错)(了)?|"
                       r"(发错|打错)(了)?(消息|人|字|群|地方)")


def asks_for_human(text: str, words: tuple[str, ...]) -> bool:
    text = _WHAT_ARE_YOU.sub("", text)
    return any(word and word in text for word in words)


# "不用合作了", "不需要代理", "不想退货了": the customer declines what the keyword names; nothing for a person.
_DECLINED = re.compile(r"(不用|不需要|不要|不想|不打算|不考虑|没兴趣|没有兴趣|暂时不|先不)(再|了|去)?$")
# Not a business enquiry: "合作款" (a collaboration product), "合作的快递" (the courier), "商务送礼" (a gift).
# Not haggling: "有没有便宜点的" asks for a cheaper product ("便宜点的话我就买" still haggles).
_NOT_TOPIC = re.compile(r"合作款|联名|(快递|物流|平台)[^，,。？?]{0,4}合作|合作的?(快递|物流|平台)|商务(送礼|礼|款)|"
                        r"(便宜|优惠|实惠)点?的(?!话)|"
                        # the customer's own skin cracked, not the goods: "嘴唇都干裂了", "手冻裂了", "脸上挠破了"
                        r"(嘴唇|嘴巴|嘴角|唇|手|手指|手背|脚|脚后跟|脸|脸上|皮肤|鼻子)(都|全|又|也)?(被)?(干|冻|晒|吹|挠|抠|抓)?"
                        r"(裂(了|开了?|口子了?|出血了?)|破(了|皮了?))|"
                        # a feeling, not broken goods: "今天累坏了", "把我气坏了", "乐坏了"
                        r"(累|气|饿|渴|乐|吓|急|热|忙|困|馋|笑|美|吃|变|高兴|开心|激动|担心|心疼)坏了")


# "托运的话会不会压坏", "怕路上摔碎": damage feared before it happened, a question to answer, not goods that came
# broken (收货问题: "瓶子压坏了").
_DAMAGE = re.compile(r"破|碎|坏|扁|漏|洒|撒|裂")
_FEARED = re.compile(r"(会不会|会|容易|怕|担心|万一|不会|防止|避免)(被|给)?(路上)?$")


def _named(text: str, keyword: str) -> bool:
    """The text names the keyword somewhere without declining it, nor fearing the damage it names."""
    def counts(start: int) -> bool:
        before = text[max(0, start - 6):start]
        return not _DECLINED.search(before) and not (_DAMAGE.search(keyword) and _FEARED.search(before))
    return said_where(text, keyword, counts)


def sensitive_topic(text: str, topics: dict[str, tuple[str, ...]]) -> str | None:
    """The first configured topic one of whose keywords the text names and does not decline."""
    text = _NOT_TOPIC.sub("", text)
    for name, keywords in topics.items():  # one scan for all of a topic's words first: nearly all absent
        if any_word(keywords).search(text) and any(k and k in text and _named(text, k) for k in keywords):
            return name
    return None


# "会不会过敏", "怕过敏", "不过敏", "抗过敏", "过敏体质能用吗": asking about a risk, not reporting a reaction.
# Every customer message asks for the topics (three times); the config's tuples do not change, so
# each is parsed once (the result is only read).
_topics = functools.lru_cache(maxsize=16)(parse_topics)

_RISK_BEFORE = re.compile(r"(会不会|会|容易|怕|担心|防|抗|预防|不)$")
_RISK_AFTER = re.compile(r"^(体质|吗|么|人群)")
# "不是过敏，就是有点干", "没有过敏", "用了没过敏", "也没出现红肿": denied, not reported; "是不是过敏" and
# "有没有过敏" still ask about one the customer may have.
_DENIED = re.compile(r"(不是|没有?|并非)(出现|发生|什么|任何)?$")
_ASKED = re.compile(r"(是不是|有没有?)(出现|发生|什么|任何)?$")
# "我对酒精过敏，能用吗", "对香精过敏的人可以用吗", "我花粉过敏": the customer's condition before using
# anything, answered like a question about the risk. "对这个面霜过敏", "用了以后发现对酒精过敏" still report.
_CONDITION = re.compile(r"对[^，,。；;!！?？\s这那你它该此]{1,8}$|"
                        r"(花粉|酒精|香精|香料|海鲜|芒果|坚果|花生|牛奶|乳糖|鸡蛋|尘螨|螨虫|猫毛|狗毛|宠物毛|"
                        r"青霉素|紫外线|日光|金属|镍|羊毛|乳胶|防腐剂)$")
_USED = re.compile(r"(用|涂|擦|抹|搽|敷|吃|喝|洗|喷|贴|戴|穿|试)(了|完|过|上)|之后|以后|后来|一用|一涂|一擦")


def _reports(text: str, word: str) -> bool:
    def counts(start: int) -> bool:
        before, after = text[max(0, start - 6):start], text[start + len(word):]
        return not (_RISK_BEFORE.search(before[-3:]) or _RISK_AFTER.match(after)
                    or (_DENIED.search(before) and not _ASKED.search(before))
                    or (_CONDITION.search(text[max(0, start - 9):start]) and not _USED.search(text)
                        and not after.startswith("了")))
    return said_where(text, word, counts)


# "我是敏感肌 最近烂脸期 你们家有适合的吗": the customer's own skin, told to ask for a product, with nothing
# of ours used yet (_USED): a shopping question, not a reaction to report ("不能用了" asks for nothing).
_ASKS_FOR_PRODUCT = re.compile(r"适合|推荐|(?<![不没])(能用|可以用)|用(什么|啥|哪)|哪(款|个|种)")


def own_skin_question(text: str) -> bool:
    """A question for a product told with the customer's own skin condition, nothing used yet."""
    return _ASKS_FOR_PRODUCT.search(text) is not None and is_question(text) and _USED.search(text) is None


# "之前用别家的擦了就刺挠", "用别的牌子的面霜过敏过": a reaction to another brand's product, told as the customer's
# history (asking whether ours will suit them), naming nothing of ours. Not ours to give safety advice for nor to
# hand to a person as if our product had harmed them; "用了你们的面霜也痒 别家的也痒" still names ours.
_OTHER_BRAND = re.compile(r"别家|别人家|其他家|其它家|别的(家|牌子|品牌|店)|其他(牌子|品牌|店)|其它(牌子|品牌|店)|"
                          r"别的(护肤品|化妆品|面霜|产品|东西)|(外面|别处|别的地方)买的")
_OURS = re.compile(r"你们|你家|您家|贵家|贵店|贵司|你这|你们这|这个|这款|这瓶|这支|刚买的|新买的|买的你")


def other_brand(text: str) -> bool:
    """The text tells of another brand's product ("之前用别家的擦了就刺挠") and names none of ours."""
    return _OTHER_BRAND.search(text) is not None and _OURS.search(_OTHER_BRAND.sub(" ", text)) is None


# What a customer says their skin went through ("脸痒了好几天", "起了一脸疹子"): told of another brand's product
# (other_brand), no question, it is the customer's history: sympathy and a tip, not a product answer.
_DISCOMFORT = re.compile(r"痒|过敏|红肿|刺痛|刺挠|起疹|疹子|泛红|发红|红了|红一片|红红的|烂脸|痘|闭口|粉刺|"
                         r"脱皮|灼|疼|难受|不舒服|刺激")


def reacted_elsewhere(text: str) -> bool:
    """A reaction to another brand's product told, nothing asked ("之前用别的牌子的面霜脸痒了好几天")."""
    return other_brand(text) and not is_question(text) and _DISCOMFORT.search(text) is not None


# What else than a product the customer asks a trouble may come from: "跟换季有关吗", "是不是熬夜导致的", "晒完太阳脸就
# 刺痛 这是怎么回事", "跟我用热水洗脸有关系吗".
_OTHER_CAUSE = re.compile(r"换季|季节|天气|气候|晒|太阳|紫外线|热水|冷水|熬夜|作息|睡眠|压力|喝水|饮食|吃辣|上火|"
                          r"生理期|例假|月经|激素|空调|暖气|口罩")


def asks_other_cause(text: str) -> bool:
    """A question whether something else than a product causes the customer's trouble ("两边脸颊老是泛红 跟我用
    热水洗脸有关系吗"), naming nothing of ours nor anything used: a question for the shop, not a reaction to report."""
    return (is_question(text) and _OTHER_CAUSE.search(text) is not None and _OURS.search(text) is None
            and _USED.search(text) is None)


def safety_topic(text: str, config: EscalationConfig) -> str | None:
    """The safety topic whose words report an adverse reaction ("脸上过敏起疹子了"), not a question about
    the risk ("敏感肌会过敏吗"), about a product for the customer's own skin ("最近烂脸期 有适合的吗"), whether
    something else causes it ("晒完太阳脸就刺痛 这是怎么回事": `asks_other_cause`) nor a reaction to another brand's
    product ("之前用别家的过敏了"). Whether or not escalation is on: the advice is
    the persona's."""
    if own_skin_question(text) or other_brand(text) or asks_other_cause(text):
        return None
    for name, words in _topics(config.safety_topics, "escalation.safety_topics").items():
        if any_word(words).search(text) and any(word and word in text and _reports(text, word) for word in words):
            return name
    return None


def safety_ticket_topic(reason: str, config: EscalationConfig) -> str | None:
    """The safety topic a ticket was opened for ("sensitive:过敏" → "过敏"), or None for any other reason."""
    kind, _, topic = reason.partition(":")
    names = _topics(config.safety_topics, "escalation.safety_topics")
    return topic if kind == "sensitive" and topic in names else None


# What to do meanwhile, asked while a person is on the way: "那我现在该怎么办", "要去医院吗", "还能继续用吗"
ASKS_WHAT_TO_DO = re.compile(r"怎么办|咋办|咋整|怎么处理|如何处理|该怎么做|要怎么做|怎么弄|该做什么|"
                             r"(要|用|需要|该)不(要|用|需要)?(去)?(看医生|去医院|就医)|(要|需要|该)(去)?(看医生|去医院|就医)|"
                             r"(还|能|可以)(继续)?(用|涂|擦)(吗|么|嘛)|能不能(继续)?(用|涂|擦)|涂(点)?(什么|啥)|擦(点)?(什么|啥)")


def reaction_topic(config: EscalationConfig) -> str:
    """The safety topic an adverse reaction sensed by meaning (reactions.py) is filed under: the first
    configured one ("过敏" by default); "" when none is configured (then nothing is sensed)."""
    return next(iter(_topics(config.safety_topics, "escalation.safety_topics")), "")


def is_vip(customer: Customer, tag_names: list[str], config: EscalationConfig) -> bool:
    """VIP by staff decision (/vip), explicit list, member level or tag."""
    return (customer.is_vip or customer.external_userid in config.vip_customers
            or bool(customer.level and customer.level in config.vip_levels)
            or any(tag in config.vip_tags for tag in tag_names))


def service_level(customer: Customer, vip: bool, sla_levels: Collection[str] = ()) -> str:
    """The level whose SLA applies: the member level when `sla_minutes_by_level` names it, else "vip"
    for a VIP (by /vip, list or tag: now that every customer with points has a level, a VIP's
    "vip" SLA must not give way to a level the table does not name), else the member level or ""."""
    if customer.level and customer.level in sla_levels:
        return customer.level
    return "vip" if vip else customer.level


def reaches(scope: str, vip: bool) -> bool:
    """Does a rule scoped none | vip | all apply to this customer?"""
    return scope == "all" or (scope == "vip" and vip)


@dataclass(frozen=True, slots=True)
class Trigger:
    """Why a message goes to a person."""

    reason: str  # asked_for_human | sensitive | vip_question | unanswered | order | staff | servicer
    topic: str = ""

    @property
    def code(self) -> str:
        return f"{self.reason}:{self.topic}" if self.topic else self.reason

    @property
    def label(self) -> str:
        """How the advisor's notification names the reason."""
        labels = {"asked_for_human": "客户要求人工", "vip_question": "VIP 提问", "unanswered": "小助手答不上来",
                  "staff": "员工转交", "servicer": "客服接入"}
        if self.reason == "sensitive":
            return f"敏感话题：{self.topic}"
        if self.reason == "order":  # the customer's order is late or refunded (handlers/orders/chat.py)
            return f"订单：{self.topic}"
        return labels.get(self.reason, self.reason)

    @classmethod
    def parse(cls, code: str) -> Trigger:
        reason, _, topic = code.partition(":")
        return cls(reason, topic)


def decide(text: str, *, vip: bool, can_answer: bool, config: EscalationConfig,
           safety: str | None = None) -> Trigger | None:
    """The first rule that sends this message to a person, or None when the persona keeps it.

    Order matters for the label only: a VIP asking "我要退款怎么办？" is a refund (sensitive) ticket.
    `safety`: a safety topic the caller already found (by meaning, reactions.py) the words miss.
    """
    if not config.enabled or not text.strip():
        return None
    if asks_for_human(text, config.human_words):
        return Trigger("asked_for_human")
    topics = _topics(config.sensitive_topics)
    topic = (impostor_topic(text, topics, config.scam_topics)  # "有人说是柚见客服 要给我退款": not a refund
             or sensitive_topic(_OWN_SLIP.sub("", text), topics) or safety or safety_topic(text, config))
    if topic is not None:
        return Trigger("sensitive", topic)
    question = is_question(text)
    if vip and config.vip_questions and question:
        return Trigger("vip_question")
    if question and not can_answer and reaches(config.unanswered_escalates, vip):
        return Trigger("unanswered")
    return None
