"""Questions for nobody at the shop: "今天天气怎么样", "你说我要不要辞职", "附近有啥好吃的推荐吗".

Without this, a question the knowledge base is not sure of is queued for staff with the promise "我去问问
专业的同事": staff get asked about the weather, and the customer waits for an answer that never
comes. A question is off-topic when it names nothing of a shop (no shop concept of persona/matcher.py,
no shop word, none of the knowledge base's own keywords) and either names an everyday topic (weather,
films, stocks, travel, love, jobs, homework …) or is very close to the matcher's small-talk and
off-topic lines (`chatter`). It gets the persona's `chat.offtopic` (what the persona does help with)
and is not queued. Figures on tests/knowledge_eval/general (README "Small talk and feelings").
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

from persona.faq import FaqEntry
from persona.heard import heard
from persona.matcher import concepts

CHATTER = 0.92  # closeness to the matcher's REFERENCE lines that is off-topic by itself
# A customer asking about us, something we sell or their order: never off-topic.
_SHOP = re.compile(r"你们|你家|贵店|贵公司|店里|店铺|门店|产品|商品|东西|宝贝|下单|订单|买|卖|货|款|价|钱|包邮|客服|"
                   r"官方|品牌|小程序|链接|会员|积分|优惠|券|活动|用|涂|抹|擦|"
                   # what a shop does for a gift or an order: "送女朋友的礼物 有礼盒包装吗"
                   r"礼盒|包装|礼品|贺卡|赠品|小样|试用|发票")
# Everyday topics no shop assistant is asked about (generic, not any one shop's words).
_TOPICS = re.compile(r"天气|下雨|下雪|气温|多少度|雾霾|电影|电视剧|综艺|小说|新歌|明星|股票|基金|比特币|彩票|新闻|"
                     # the weather where the persona is: "你那边冷不冷"
                     r"冷不冷|热不热|(你|您)(那边|那儿|那里)(的)?(天气|天|今天)?(冷|热|下雨|下雪|晴)|"
                     r"足球|篮球|世界杯|奥运|机票|火车票|高铁票|航班|末班车|限行|旅游|景点|去哪玩|餐厅|饭店|好吃的|菜谱|做菜|红烧肉|"
                     r"男朋友|女朋友|分手|离婚|相亲|辞职|跳槽|找工作|加班费|考研|高考|作业|翻译|写一首|写一篇|作文|写诗|"
                     r"讲个笑话|讲笑话|讲个故事|路由器|重装系统|公积金|社保|护照|签证|房价|租房|房贷|星座|算命|多肉|养花|编程|"
                     # a show and its stars: "你追繁花了吗 胡歌好帅啊"
                     r"(你|您)(也)?(在)?追[^，,。？?\s]{1,6}(了)?(吗|么|没|不)|偶像|爱豆|"
                     # something to pass the time: "推荐个好看的剧呗 最近好无聊"
                     r"追剧|韩剧|美剧|日剧|网剧|短剧|动漫|番剧|手游|打游戏|(好看|好玩|好听)的(剧|书|歌|游戏|番)")


# The weather where we are: "你们那边下雪了吗", "你们杭州冷不冷" (你们 there asks of the place, not of the shop).
_WEATHER_THERE = re.compile(r"(你们|你|您)(?=(那边|那儿|那里|那|杭州|这边)(的)?(天气|今天|最近|现在)?(也|还)?"
                            r"(冷|热|下雨|下雪|晴|降温|刮风|多少度|气温|天气))")


def _heard(text: str) -> str:
    return _WEATHER_THERE.sub("", heard(text))


def everyday(text: str) -> bool:
    """The text names an everyday topic and nothing of a shop ("推荐个好看的剧呗", "附近有啥好吃的推荐吗")."""
    said = _heard(text)
    return _SHOP.search(said) is None and _TOPICS.search(said) is not None


class Knowledge(Protocol):
    @property
    def entries(self) -> Sequence[FaqEntry]: ...

    async def chatter(self, question: str) -> float: ...


async def off_topic(kb: Knowledge, text: str) -> bool:
    """Whether a question the knowledge base is not sure of is for nobody at the shop (docstring)."""
    said = _heard(text)
    if concepts(said) or _SHOP.search(said) or any(k and k in said for e in kb.entries for k in e.keywords):
        return False
    return bool(_TOPICS.search(said)) or await kb.chatter(text) >= CHATTER
