"""[escalation]: when a customer's message goes to a human advisor, to whom, and how fast."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import check_window, pairs
from bot.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REACH = ("none", "vip", "all")
# When no named advisor can take a ticket: WeCom's own reception pool (kf.md §6, state 2), where the
# servicers set up in WeCom's 微信客服 admin see it, or Wanzi's queue, which waits for an on-duty advisor.
NO_ADVISOR = ("wecom_pool", "queue")
# Out of hours, when a kf chat goes to the pool: at the next opening (the persona keeps the chat overnight: WeCom
# lets no API message into a pooled chat, so a customer adding a photo or an order number would meet silence), or
# at once (for servicers who work in the WeCom client outside `working_hours`).
POOL_OUT_OF_HOURS = ("at_opening", "at_once")


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    enabled: bool = True
    vip_tags: tuple[str, ...] = ("VIP",)
    vip_levels: tuple[str, ...] = ()
    vip_customers: tuple[str, ...] = ()
    vip_questions: bool = True
    human_words: tuple[str, ...] = ("人工", "真人", "活人", "找客服", "投诉电话", "找个人帮", "找个人聊", "找人聊",
                                    "找人帮", "工作人员", "打电话给我", "给我打电话", "给我打个电话", "电话联系我")
    # 冒充诈骗 comes first: a scam told as a refund ("自称客服说给我退款，让我转账") is a scam, not a refund.
    sensitive_topics: tuple[str, ...] = (
        "冒充诈骗:冒充|诈骗|骗子|被骗|刷单|自称|说是你们的客服|说是你们客服|说是你们的工作人员|说是你们官方|让我转账|叫我转账|要我转账|让我打钱|叫我打钱|要我打钱|"
        "让我汇款|叫我汇款|要我汇款|私下转账",
        "退款:退款|退货|退钱|仅退款|退换",
        # changing an order before it ships: the address, the items, holding it back
        "改单:改地址|改收货地址|改一下地址|改一下收货地址|改个地址|改个收货地址|修改地址|修改收货地址|修改一下地址|换地址|换收货地址|换个地址|换个收货地址|"
        "地址改一下|地址要改|地址能改|地址写错|地址填错|地址发错|地址错了|改订单|修改订单|"
        "改一下订单|改单|暂缓发货|先别发货|先别发|先不要发货|先不要发|别发货|暂停发货|拦截快递|拦截包裹",
        "投诉:投诉|差评|举报|12315|维权|曝光",
        "议价:便宜点|优惠点|能便宜|砍价|议价|最低价|少点钱",
        # goods that came broken, told as a state too: "盖子是裂的", "瓶身有裂纹", "泵头坏了" (the sandbox's "收到的时候
        # 盖子是裂的" was tagged 保湿补水 and promised content)
        "收货问题:破损|漏液|是漏的|漏了|漏得|漏出|洒了|撒了|碎了|是碎的|裂了|裂开|裂的|开裂|裂纹|裂缝|裂痕|摔坏|压坏|压扁|"
        # and goods missing: "快递到了 但是少了一瓶" (the sandbox got "嗯嗯，小柚在听～")
        "破了|是破的|坏了|是坏的|坏掉|变形|少发|漏发|发错|错发|缺件|少了一瓶|少一瓶|少了一盒|少一盒|少了一支|少一支|"
        "少了一件|少一件|少了一个|少了个|缺了一瓶|缺一瓶|缺了一件|东西少了|数量不对|只收到了|"
        # and a part that does not work: "收到货了 但是精华的泵头按不出来" (a 2026-12-05 sandbox got "小柚在听～")
        "按不出|压不出|按不动|压不动|按不下去|压不下去|喷不出|挤不出|拧不开",
        "商务合作:合作|代理|加盟|招商|商务|批发|分销|团购|批量采购|企业采购|公司采购",
        "个人信息:个人信息|个人资料|个人数据|我的资料|我的数据|删除我的|删掉我的|注销|隐私信息|存了我|收集了我|"
        "怎么有我的|怎么会有我的|为什么有我的|为什么会有我的|我的信息|信息删|资料删|删了我的|哪来的我的|哪里来的我的|哪儿来的我的|怎么知道我的|从哪拿到我的|从哪里拿到我的|拿到我的|拿到我微信|有我微信|"
        "我的手机号哪|我的电话哪|我的号码哪",
    )
    # Safety topics (an adverse reaction) go to a person too, and the customer first gets the persona's
    # escalation.safety advice (stop using, rinse, a doctor if it worsens, a photo), never an FAQ answer.
    safety_topics: tuple[str, ...] = (
        "过敏:过敏|红肿|刺痛|起疹|疹子|红疹|发痒|瘙痒|灼热|灼烧|烧灼|烂脸|不良反应",
    )
    # Sensitive topics whose customers first get the persona's escalation.scam warning (we never ask
    # for a transfer; do not pay; keep the chat records) instead of a knowledge-base answer: "自称你们客服
    # 让我转账退款" must not get the returns policy. A name sensitive_topics lacks (the operator removed
    # the topic) warns nobody.
    scam_topics: tuple[str, ...] = ("冒充诈骗",)
    # Sensitive topics only a person can act on: changing an order or holding it back ("刚下的单 先别发货",
    # "我想改一下收货地址") gets the persona's escalation.handoff_only acknowledgement and the hand-off, never a
    # knowledge-base answer first (the shipping times answer nothing of "don't ship it"). A name
    # sensitive_topics lacks changes nothing.
    handoff_only_topics: tuple[str, ...] = ("改单",)
    # Sensitive topics where something went wrong for the customer ("我要投诉 快递太慢了", "收到的瓶子是碎的"): the
    # persona says sorry (escalation.sorry) before anything else, as a person at the shop would. A name
    # sensitive_topics lacks changes nothing.
    apology_topics: tuple[str, ...] = ("投诉", "收货问题")
    # Of those, the topics a photo settles ("收到的面霜盖子裂了 漏了好多"): the sorry asks for one of the goods and
    # the parcel (escalation.sorry_photo), so the colleague who takes the chat can act at once, not ask first.
    photo_topics: tuple[str, ...] = ("收货问题",)
    unanswered_escalates: str = "vip"
    context_messages: int = 10
    working_days: tuple[str, ...] = WEEKDAYS
    working_hours: str = "09:00-21:00"
    sla_minutes: int = 30
    sla_minutes_by_level: tuple[str, ...] = ("vip=15",)
    reroute_after_minutes: int = 10
    leads: tuple[str, ...] = ()
    no_advisor: str = "wecom_pool"
    pool_out_of_hours: str = "at_opening"

    def check(self, where: str) -> None:
        parse_topics(self.sensitive_topics)
        parse_topics(self.safety_topics, f"{where}.safety_topics")
        parse_hours(self.working_hours)
        sla_by_level(self)
        bad_days = [d for d in self.working_days if d not in WEEKDAYS]
        if bad_days:
            raise ConfigError(f"{where}.working_days", f"unknown day {bad_days[0]!r}; use {', '.join(WEEKDAYS)}")
        if self.no_advisor not in NO_ADVISOR:
            raise ConfigError(f"{where}.no_advisor", f"must be one of {', '.join(NO_ADVISOR)}")
        if self.pool_out_of_hours not in POOL_OUT_OF_HOURS:
            raise ConfigError(f"{where}.pool_out_of_hours", f"must be one of {', '.join(POOL_OUT_OF_HOURS)}")
        if self.unanswered_escalates not in REACH:
            raise ConfigError(f"{where}.unanswered_escalates", f"must be one of {', '.join(REACH)}")
        for key in ("sla_minutes", "reroute_after_minutes", "context_messages"):
            if getattr(self, key) < 1:
                raise ConfigError(f"{where}.{key}", "must be at least 1")


def parse_topics(entries: tuple[str, ...], key: str = "escalation.sensitive_topics") -> dict[str, tuple[str, ...]]:
    """"退款:退款|退货" → {"退款": ("退款", "退货")}; ConfigError names the bad entry."""
    topics: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        name, sep, words = entry.partition(":")
        keywords = tuple(w.strip() for w in words.split("|") if w.strip())
        if not sep or not name.strip() or not keywords:
            raise ConfigError(key, f"{entry!r} must look like \"名称:词1|词2\"")
        topics[name.strip()] = keywords
    return topics


def parse_hours(value: str) -> tuple[int, int]:
    """"09:00-21:00" → minutes since midnight (540, 1260); working hours stay within one day."""
    return check_window("escalation.working_hours", value, overnight=False)


def sla_by_level(config: EscalationConfig) -> dict[str, int]:
    out = {}
    for level, minutes in pairs("escalation.sla_minutes_by_level", config.sla_minutes_by_level).items():
        if not minutes.isdigit() or int(minutes) < 1:
            raise ConfigError("escalation.sla_minutes_by_level", f"{level}: minutes must be a whole number ≥ 1")
        out[level] = int(minutes)
    return out
