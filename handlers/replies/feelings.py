"""Feelings by meaning: "最近工作压力好大，睡不好" is tiredness though it shares no word with the rules of
smalltalk.py ("好累", "没睡好"). A statement the rules and the knowledge base leave alone is compared
with a few example sentences per feeling (tired, sad, angry) and with everyday statements that are
no feeling at all ("我在上班", "今天发工资了"), through the same sentence vectors as the knowledge base
(persona/embed.py; a text the knowledge base just embedded is not embedded again), as an ExampleModel
(persona/examples.py, shared with the suggestion model). The nearest
feeling wins only when it is nearer than every neutral example by MARGIN, calibrated on
tests/feelings_eval/dev.csv (final.csv is held out): a wrong "抱抱" to a neutral line is worse than
the plain chat reply it replaces.

Blocking (model inference): call `feeling` from a worker thread, as `sense_feeling` does; until
start-up's warm-up has embedded the examples, `sense_feeling` hears no feeling (and starts that
work in the background) rather than hold a handler's transaction for a hundred embeddings.
"""

from __future__ import annotations

import logging
from typing import Sequence

from handlers.escalation.rules import is_question
from handlers.replies.smalltalk import Intent, classify
from persona.embed import Embedder
from persona.examples import ExampleModel, han

log = logging.getLogger(__name__)

MAX_CHARS = 60  # a long message carries content: a person or the knowledge base decides
MIN_CHARS = 5  # "1", "都不是", "好的吧": too little for the model (short feelings have rule words: 好累)
MIN_HAN = 3  # "/erase c1xiaomei", "ok fine": the Chinese sentence model hears noise in Latin text, not anger
MARGIN = 0.01  # nearer to a feeling than to any neutral statement by this much (dev split)
TOP = 2  # a class's nearness: the mean of its TOP best examples (one lucky neighbour is not enough)

EXAMPLES: dict[Intent | None, tuple[str, ...]] = {
    Intent.TIRED: (
        "今天加班到好晚", "累得一点都不想动", "跑了一整天腿都要断了", "最近老是失眠睡不着", "带了一天娃精疲力尽",
        "工作压力大身体快吃不消了", "好想躺平什么都不想干", "困得眼睛都睁不开了", "连着熬了好几个通宵",
        "上了一天班腰酸背痛", "这周天天开会人都麻了", "感觉身体被掏空了", "忙到现在饭都没顾上吃",
        "这阵子太忙了根本停不下来", "好几天没睡个整觉", "身体有点扛不住了", "天天赶工赶到半夜",
    ),
    Intent.SAD: (
        "今天心情很低落", "感觉最近什么都不顺", "跟男朋友吵架了", "考试没考好好失落", "一个人在外地好孤单",
        "方案又被否了好沮丧", "压力大到喘不过气", "家里出了点事心里很难受", "觉得自己好没用",
        "被领导当众批评了", "今天哭了一场", "最近有点焦虑", "最近过得很不好", "努力了很久还是失败了",
        "失去了很重要的人", "心里空落落的", "被人误会了好难受",
    ),
    Intent.ANGRY: (
        "你们这东西质量也太差了", "等了半天都没人理我", "说好的赠品到现在都没有", "你们太让人失望了",
        "再这样我就要投诉了", "我真的很生气", "这是什么服务态度", "买了真是后悔死了", "你们这是在骗人吧",
        "一次次敷衍我", "说了多少遍了还是没解决", "你们办事效率也太低了", "这也太不负责任了",
        "东西寄来就是坏的", "太过分了吧",
    ),
    None: (
        "我在上班", "今天下雨了", "我刚到家", "周末去爬山了", "我用的是你们的面霜", "我是学生", "我家在杭州",
        "朋友推荐我来的", "晚饭吃了火锅", "最近在学做饭", "想买个礼物送妈妈", "我在看直播", "今天发工资了",
        "明天要出差", "这个颜色挺好看的", "我买过好几次了", "猫咪今天很乖", "我在地铁上", "刚下单了",
        "我平时喜欢跑步", "今天心情不错", "终于放假啦", "我皮肤有点干", "孩子今天上幼儿园了", "刚吃完早饭",
        "我想了解一下你们家", "好期待收到货", "我是老顾客了", "今天早点下班了", "准备睡个午觉",
        "我在陪孩子玩", "刚忙完手头的事", "周末在家休息", "晚上要去同学聚会",
        # giving up on an offer, leaving the door open: no complaint
        "那算了我不买了", "有需要我会再来找你", "没有针对你们的意思",
    ),
}


def feeling_model(embedder: Embedder | None = None) -> ExampleModel[Intent | None]:
    """The feelings' examples (None: neutral statements) as an ExampleModel."""
    return ExampleModel("feelings", EXAMPLES, top=TOP, embedder=embedder)


def glad(text: str) -> bool:
    """A statement of joy or praise by rule ("今天收到快递好开心", "你们家面霜yyds"): shared joy or thanks
    for the praise, never a knowledge-base answer to a word in it (快递, 面霜); "好开心，请问多久发货" is
    still a question."""
    return classify(text) in (Intent.HAPPY, Intent.PRAISE) and not is_question(text)


def _hearable(text: str) -> bool:
    """Long enough for the model, short enough to be only a feeling, and Chinese enough to be heard."""
    return MIN_CHARS <= len(text) <= MAX_CHARS and han(text) >= MIN_HAN


def feeling(model: ExampleModel[Intent | None], text: str, margin: float = MARGIN) -> Intent | None:
    """The feeling a short statement voices, or None (blocking: run in a thread, after the build)."""
    text = text.strip()
    if not _hearable(text):
        return None
    near = model.nearness(text)
    neutral = near.pop(None)
    label, best = max(near.items(), key=lambda kv: kv[1])
    return label if best - neutral >= margin else None


_models: dict[int, ExampleModel[Intent | None]] = {}


def model_for(embedder: Embedder | None = None) -> ExampleModel[Intent | None]:
    """One feelings model per embedder object (None: the process-wide shared one, as in practice)."""
    if embedder is None:
        from persona.embed import shared_embedder

        embedder = shared_embedder()
    model = _models.get(id(embedder))
    if model is None or model.embedder is not embedder:
        model = _models[id(embedder)] = feeling_model(embedder)
    return model


async def sense_feeling(text: str, embedder: Embedder | None = None) -> Intent | None:
    """`feeling` as a handler may ask it (ExampleModel.judge); a model failure means "no feeling"."""
    if not _hearable(text.strip()):
        return None
    model = model_for(embedder)
    return await model.judge(lambda t: feeling(model, t), text, None, "answering as a plain statement")


def feelings_of(texts: Sequence[str], embedder: Embedder, margin: float = MARGIN) -> list[Intent | None]:
    """Blocking batch form for the evaluation."""
    model = model_for(embedder)
    if not model.prepared:
        model.build()
    return [feeling(model, t, margin) for t in texts]
