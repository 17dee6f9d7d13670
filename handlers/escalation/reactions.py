"""Adverse reactions told in the customer's own words: "我上周买的面霜用了脸有点痒" or "狗狗吃了新粮一直吐"
share no word with the safety topic's list (`[escalation] safety_topics`: 过敏, 红肿, 起疹…), yet the
customer needs the safety advice and a person as much as one who writes "过敏". Missing one is the
worst mistake the persona can make here: it answered that customer with a cream recommendation.

A text the word rules leave alone is compared with example reports of a reaction (skin, stomach,
a child's or a pet's, across trades) and with what they must not be confused with (asking about
the risk before buying, the customer's own skin type, good effects, parcel and taste complaints,
everyday tiredness), through the shared sentence model as an ExampleModel (persona/examples.py;
the knowledge base embeds the same text as a query, so the memo spares a second embedding). It is a
reaction when it names a symptom, tells of something that happened and its nearest reaction examples
are nearer than its nearest others by MARGIN, chosen on
tests/reactions_eval/dev.csv and dev2.csv (final.csv is held out; README "Escalation to a human advisor").

The verdict names the first configured safety topic: the advice (`escalation.safety`) and the
ticket's label are that topic's. Blocking model work runs in a thread; until start-up's warm-up has
embedded the examples, nothing is sensed by meaning (the word rules still are).
"""

from __future__ import annotations

import logging
import re
from typing import Sequence

from persona.embed import Embedder
from persona.examples import ExampleModel, han

log = logging.getLogger(__name__)

MAX_CHARS = 80  # a long message is still one report; beyond this the sentence vector blurs
MIN_HAN = 3  # "ok", "1", "/erase x": too little Chinese for the model
# Nearer to a reaction than to anything else by this much. Chosen on dev + dev2 (88 % of reactions, 3.8 %
# false alarms): a missed reaction costs more than a needless "stop using it and rinse", so not the margin
# of no false alarm at all (0.0075: 61 % of reactions).
MARGIN = 0.0025
TOP = 6  # a side's nearness: the mean of its TOP best examples (dev and dev2: 6 kept false alarms lowest)

REACTION = "reaction"

EXAMPLES: dict[str | None, tuple[str, ...]] = {
    REACTION: (
        # skin and body care
        "用了你们的精华脸上长了好多小疙瘩", "抹完面霜皮肤火辣辣的", "一涂上去脸就开始发红", "用完眼睛周围都肿了",
        "擦了之后脸一直在痒", "脸上冒出来一片小红点", "才用了两天就开始爆痘", "一用就刺刺的疼",
        "敷完面膜脸烫得厉害", "眼霜弄得我眼睛又红又肿", "用了身体乳胳膊上起了好多包", "洗了头以后头皮又痒又疼",
        "涂了防晒脖子那块红了一大片", "卸妆油用完眼睛辣得睁不开", "我妈用了说脸很不舒服，有点发热",
        # food, drinks, supplements
        "吃了你们家的蛋糕肚子疼了一晚上", "喝完以后一直在拉肚子", "吃完嘴巴周围有点麻", "喝了蛋白粉胃里很难受",
        "吃了代餐以后一直恶心想吐", "喝完你们的咖啡心跳好快手都在抖",
        # children and pets
        "孩子喝完奶粉就吐了", "宝宝用了湿巾屁屁红了一片", "孩子抹了润肤露身上起了小红点",
        "狗狗吃了新买的粮一直在吐", "猫吃了你们的罐头以后拉稀了", "狗用了驱虫药精神很差",
        "猫吃了新猫粮以后一口东西都不吃了", "用了这个洗面奶脸上反而出油长痘",
    ),
    None: (
        # asking about the risk before using or buying
        "孕妇可以用吗", "敏感肌能用这个吗", "宝宝多大可以吃", "用了会不会长痘", "成分刺激吗", "过敏体质能喝吗",
        "狗狗肠胃不好能吃吗", "晚上喝会不会睡不着", "涂了会闷痘吗", "小孩子能不能用",
        # the customer's own skin or body, no product to blame
        "我是油皮", "我皮肤比较干", "最近换季脸有点干", "我脸上本来就有点痘痘", "天气热老是出汗",
        "今天健身完腿好酸", "昨天吃火锅吃撑了", "感冒了鼻子不通", "我家狗狗最近掉毛厉害", "宝宝在长牙老是哭",
        # good effects, often told the same way as a reaction: "用了…以后…"
        "用了一周皮肤好多了", "宝宝很爱吃", "狗狗吃得可香了", "脸不干了很舒服", "喝完精神好多了", "用完脸滑滑的",
        "用了两个月斑淡了不少", "吃了以后狗狗便便成形了", "孩子用了以后湿疹好多了", "抹完嘴唇一点都不干了",
        "喝了一段时间睡眠变好了", "换了你们的粮猫胖了一圈", "用完头发顺了好多", "涂了以后脚后跟不裂了",
        # a body ache or symptom with another cause
        "昨天淋雨感冒了头疼", "熬夜以后眼睛干涩", "吃了路边摊肚子不舒服", "搬家搬得胳膊酸",
        # the parcel, the taste, the service
        "瓶子寄过来漏了", "快递太慢了", "味道不太好闻", "颜色和图片不一样", "蛋糕送到的时候压坏了", "包装盒破了",
        "等了半天没人理我", "这个价格有点贵",
        # everyday talk and questions
        "今天上班好累", "心情不太好", "我想买个面霜送人", "多久能发货", "这个怎么用比较好", "不喜欢可以退吗",
        "口红哪个颜色好看", "狗粮一袋能吃多久", "想挑一款送闺蜜", "给孩子选个润肤霜",
    ),
}


# A report names a symptom (itching, redness, pain, vomiting, a rash, a child or a pet off their food...):
# without one, a question that merely sounds near a reaction ("面霜开封了能放多久啊", "我在天猫买过两次
# 算你们会员吗") is not one, however close its vector. A necessary condition only: the model decides.
_SYMPTOM = re.compile(r"痒|红|肿|疼|痛|吐|拉|泻|稀|麻|烫|辣|刺|晕|疹|痘|泡|疙瘩|包|破|裂|烂|脓|炎|血|慌|闷|喘|酸|涩|"
                      r"烧|热|挠|掉|秃|便秘|厕所|难受|不舒服|恶心|反胃|咳|喷嚏|鼻涕|流泪|眼泪|精神|不吃|蔫|敏感|"
                      r"脱皮|起皮|皮屑|闭口|颗粒|出油|发紧|紧绷|心跳|抖|胀|不动")
# Words that only look like a symptom: "拉黑" (block), "小红书" (the app), "红包", "红利", "网红", "口红", spicy
# food, an animal's scratch; and
# symptoms the customer denies ("没有发红也不痒", "一点都不疼"). Neither counts as the symptom named.
_NOT_SYMPTOM = re.compile(r"拉黑|拉群|拉进|拉我|拉人|拉链|小红书|红书|红包|红利|网红|口红|红色|红酒|红茶|红枣|红糖|"
                          r"走红|爆红|红人|红薯|红豆|红绿灯|"
                          # spicy food is a taste ("我在吃麻辣烫 辣死了"); a scratch or a fall is an injury
                          # with its own cause ("手被猫抓破了"), not a reaction to a product
                          r"麻辣|香辣|辣椒|辣条|辣酱|火锅|吃[^，,。！!？?]{0,10}辣+|"
                          r"(抓|咬|挠|划|割|磕|摔|蹭|刮|碰|撞|扎)(破|伤|出血)|"
                          r"(没有?|不是|不|并不|也不|都不|一点也不|一点都不)(发|起|会|怎么|觉得)?(痒|红|肿|疼|痛|辣|刺|烫|疹|痘)")


def _names_symptom(text: str) -> bool:
    return _SYMPTOM.search(_NOT_SYMPTOM.sub(" ", text)) is not None


# And it tells of something that happened or keeps happening: "用了", "吃完", "喝了以后", "用过", "一涂就",
# "擦上去", "一直痒" — or it is very near a reaction ("今天脸又红又痒": STRONG). Without either a message
# only sounds near one: a wish ("打算入手一支口红"), a question before using ("宝宝几个月可以用这个湿巾").
# Chosen on dev + dev2: no reaction there lacks the symptom (but one, which gave 烂) or the marker.
_HAPPENED = re.compile(r"了|完|后|过|就|上去|起来|一直|老是|总是")
STRONG = 0.01


def _hearable(text: str) -> bool:
    return han(text) >= MIN_HAN and len(text) <= MAX_CHARS


def reaction_model(embedder: Embedder | None = None) -> ExampleModel[str | None]:
    """The examples as an ExampleModel; one per app (Services.reactions), built by start-up's warm-up."""
    return ExampleModel("reactions", EXAMPLES, top=TOP, embedder=embedder)


def reacts(model: ExampleModel[str | None], text: str, margin: float = MARGIN) -> bool:
    """Blocking: the text reads as a report of an adverse reaction."""
    if not _names_symptom(text):
        return False
    near = model.nearness(text)
    score = near[REACTION] - near[None]
    return score >= margin and (score >= STRONG or _HAPPENED.search(text) is not None)


async def sense_reaction(text: str, topic: str, model: ExampleModel[str | None] | None) -> str | None:
    """`topic` when the text reports a reaction by meaning, else None; a model failure is logged and
    means "no reaction sensed" (the word rules have already run). `model`: the app's (Services.reactions)."""
    text = text.strip()
    if model is None or not topic or not _hearable(text):
        return None
    sensed = await model.judge(lambda t: reacts(model, t), text, False, "the safety words alone decide")
    return topic if sensed else None


def reactions_of(texts: Sequence[str], embedder: Embedder, margin: float = MARGIN) -> list[bool]:
    """Blocking batch form for the evaluation."""
    model = reaction_model(embedder)
    model.build()
    return [_hearable(t.strip()) and reacts(model, t, margin) for t in texts]
