"""The template keys Wanzi renders, the facts each may use and the WeCom field each one fills.

Persona files are linted against this registry at load time, so a typo in a key or a
placeholder is an error naming the file and the key, never a broken message at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON = frozenset({"persona", "brand", "address", "signoff"})

# UTF-8 byte limits of the WeCom text field a template ends up in (shared/wecom/kf.md §4,
# customer-contact.md §7, §10, §12, outbound.md §1).
KF_TEXT = 2048
WELCOME_TEXT = 4000
GROUP_WELCOME_TEXT = 3000
APP_TEXT = 2048


@dataclass(frozen=True, slots=True)
class Spec:
    facts: frozenset[str]
    limit: int  # bytes of the WeCom field it fills

    @classmethod
    def of(cls, limit: int, *facts: str) -> Spec:
        return cls(frozenset(facts), limit)


TEMPLATES: dict[str, Spec] = {
    "greeting.new_friend": Spec.of(WELCOME_TEXT, "name", "staff", "channel"),
    "greeting.kf_welcome": Spec.of(KF_TEXT, "name", "scene"),
    # %NICKNAME% is WeCom's own placeholder in group welcome templates (doc 92366)
    "greeting.group_welcome": Spec.of(GROUP_WELCOME_TEXT, "nickname"),
    # `product`: in the "priced" phrasings, the product whose price is asked ("柚润保湿霜" after "哪款？"); `concern`:
    # in the "trouble" ones, the skin trouble the question told ("换季爆痘"); `question`: in the "also" ones, the
    # question of a message of several that no entry answered ("你们家有防晒吗", routes.py answer_each)
    "reply.fallback": Spec.of(KF_TEXT, "name", "product", "concern", "question"),
    "reply.faq": Spec.of(KF_TEXT, "name", "answer", "question"),
    # "你们最近有什么活动吗" while a feature has something on for the customer (a camp they may join, a referral
    # campaign: Feature.whats_on): one message listing it, `lines` = each feature's line and the knowledge base's
    # answer to the question when it is sure, one a line (handlers/replies/routes.py `tell_whats_on`)
    "reply.whats_on": Spec.of(KF_TEXT, "name", "lines", "question"),
    # 猜你想问: the knowledge base was not sure; `options` = "1. 多久发货\n2. 怎么退货" (handlers/replies/clarify.py);
    # `question`: in the "one" phrasings, the one entry offered, asked yes or no ("下单后多久发货")
    "reply.clarify": Spec.of(KF_TEXT, "name", "options", "question"),
    "reply.noted": Spec.of(KF_TEXT, "name", "tags"),
    # a wish to buy with no question ("我想给闺蜜买个生日礼物") no entry answers: asked back who it is for,
    # the skin type, the budget (handlers/replies/shopping.py), never a colleague's promise
    "reply.shopping": Spec.of(KF_TEXT, "name"),
    # the same when the wish names whom it is for ("给我妈挑个礼物": who = "妈妈"): not asked again; the "budgeted"
    # phrasings leave out the budget when the wish told it ("想给闺蜜买个礼物 预算两百"), the "told" ones their skin
    # type ("帮男朋友挑个洗面奶 他是油皮": only the budget asked)
    "reply.shopping_for": Spec.of(KF_TEXT, "name", "who"),
    # a wish for someone else that names a product ("给我妈买个面霜": who = "妈妈", item = "面霜") whose entry is
    # for one skin type the wish does not name: that person's skin type, age and budget asked first; the "aged"
    # phrasings leave out the age when the wish told it ("面霜适合我妈用吗 她五十多了"), the "budgeted" ones the budget
    # ("想给我妈买个三百以内的面霜")
    "reply.shopping_item": Spec.of(KF_TEXT, "name", "who", "item"),
    # a pick asked for themself right after a condition and a skin trouble were told ("我怀孕五个月了 脸上长斑" …
    # "那有什么推荐的吗"): the condition's entry (`answer`: its caution) and the trouble (`concern`: "斑") said
    # back, only the skin type and budget asked; the "condition" phrasings when only a condition was told
    # ("我怀孕了 有什么能用的": the trouble asked too), the "trouble" ones when only a trouble was ("脸上长痘 有推荐吗":
    # no `answer`)
    "reply.shopping_told": Spec.of(KF_TEXT, "name", "answer", "concern"),
    # the details asked for, told without the skin type the best entry is for ("她六十多了 预算三百"): the skin
    # type asked once more, briefly (handlers/replies/routes.py `recommend`)
    "reply.shopping_kind": Spec.of(KF_TEXT, "name"),
    "reply.skin_check": Spec.of(KF_TEXT, "name"),  # "帮我看看我这是什么肤质": how to tell one's skin type
    # "多少钱啊", "这个多少钱" with nothing named before (handlers/replies/unnamed.py): which product they mean
    "reply.which_product": Spec.of(KF_TEXT, "name"),
    # whether someone may use "it", naming no product, with nothing said before ("我妈能用吗": who = "妈妈"): which
    # product, and what they are like, never an entry's answer for a word in it
    "reply.which_for": Spec.of(KF_TEXT, "name", "who"),
    # a follow-up on the entry just answered ("我还没拆呢"): `answer` is the sentence it asks about
    # (handlers/replies/followup.py), never the same answer twice in a row
    "reply.followup": Spec.of(KF_TEXT, "name", "answer", "question"),
    # an answer that says nothing of the day (or the elderly user) the question names ("你们周末发货吗" and "48 小时内
    # 发出"): the answer, with `detail` ("周末", "老人家能不能用") said to be not in it; the question then goes to the
    # queue (routes.py answer_in_part)
    "reply.faq_partial": Spec.of(KF_TEXT, "name", "answer", "question", "detail"),
    # how or where to buy a product named ("还想再买两瓶面霜 怎么买", handlers/replies/howtobuy.py): the knowledge
    # base's entry for buying (`answer`) with the product as recommended (`product`, "柚润保湿霜")
    "reply.buy_where": Spec.of(KF_TEXT, "name", "answer", "question", "product"),
    # a second question in the same message that another entry answers ("保湿霜孕妇能用不 还有保质期多久"): after
    # the first answer, that entry's answer; `question` is the clause that asked it (routes.py answer_each)
    "reply.faq_also": Spec.of(KF_TEXT, "name", "answer", "question"),
    # a trouble of the customer's own skin told, not asked ("我皮肤很干 用啥都不吸收"): sympathy, then the
    # knowledge base's entry for that skin type
    "reply.concern": Spec.of(KF_TEXT, "name", "answer", "question"),
    # a price objection ("太贵了吧", handlers/replies/price.py): the knowledge base's discount entry, or
    # the concern acknowledged with the configured campaign (`offer`: [facts] campaign and coupon) or
    # none, and a person offered
    "reply.price_faq": Spec.of(KF_TEXT, "name", "answer", "question"),
    # "没看清 再说一遍" right after an answer: that answer once more, whole (handlers/replies/followup.py asks_again)
    "reply.again": Spec.of(KF_TEXT, "name", "answer", "question"),
    "reply.price": Spec.of(KF_TEXT, "name"),
    "reply.price_campaign": Spec.of(KF_TEXT, "name", "offer"),
    "reply.suggestion": Spec.of(KF_TEXT, "name"),  # thanks for a product suggestion (handlers/insights)
    "reply.opt_out": Spec.of(KF_TEXT, "name"),
    # no answer and nobody to ask: honest, and how to reach a person; `product` as in reply.fallback
    # `how_en`: `how` in English, for the "english" phrasings (when colleagues are back, the contact)
    "reply.unknown": Spec.of(KF_TEXT, "name", "how", "how_en", "product", "concern", "question"),
    # "刚才问的你还没回我呢" while a question is open: `question` = its gist; a colleague is on it (a promise was
    # made) or, with none made, honestly `how` to reach a person (handlers/questions/queue.py `chased`)
    "reply.chased": Spec.of(KF_TEXT, "name", "question"),
    "reply.chased_unknown": Spec.of(KF_TEXT, "name", "question", "how"),
    "reply.answered": Spec.of(KF_TEXT, "name", "question", "answer"),  # a colleague's answer to an earlier question
    "reply.llm": Spec.of(KF_TEXT, "name", "answer"),  # the optional LLM's checked answer ([llm], handlers/replies/llm)
    # small talk, feelings and media (handlers/replies/smalltalk.py); greeting may vary by time of day. Written in
    # English ("hello there", "thanks a lot", "see you", "are you a bot?"): the "english" phrasings of greeting,
    # greet_again, presence, thanks, praise, bye, goodnight, robot and ack, Chinese first, then English
    "chat.greeting": Spec.of(KF_TEXT, "name"),
    "chat.presence": Spec.of(KF_TEXT, "name"),
    # a plain greeting soon after the persona's own kf welcome: a short "I'm here" (by time of day), not a
    # second opener
    "chat.greet_again": Spec.of(KF_TEXT, "name"),
    "chat.thanks": Spec.of(KF_TEXT, "name"),
    "chat.praise": Spec.of(KF_TEXT, "name"),
    "chat.laugh": Spec.of(KF_TEXT, "name"),
    "chat.bye": Spec.of(KF_TEXT, "name"),
    "chat.goodnight": Spec.of(KF_TEXT, "name"),
    "chat.tired": Spec.of(KF_TEXT, "name"),
    "chat.happy": Spec.of(KF_TEXT, "name"),  # "今天收到快递好开心": joy shared, not a shipping answer
    "chat.weather": Spec.of(KF_TEXT, "name"),  # "今天好冷啊": care, not "收到～还有什么想跟小柚说的吗"
    "chat.sad": Spec.of(KF_TEXT, "name"),
    "chat.reacted_elsewhere": Spec.of(KF_TEXT, "name"),  # another brand hurt their skin: sympathy, a patch test
    "chat.running_out": Spec.of(KF_TEXT, "name"),  # "买的保湿霜快用完了": a returning customer welcomed back
    "chat.angry": Spec.of(KF_TEXT, "name"),  # offers a person; `told` (the matter just told): asks nothing; `waiting`
    # (a ticket is open): says it is in hand
    "chat.robot": Spec.of(KF_TEXT, "name"),  # honest: the brand's assistant; a person is one word away
    # "你还记得我吗", "那你能记住我上次说的吗": what the persona honestly remembers (this chat's recent messages, the
    # profile); its "told" phrasings name the profile's tags the customer told (`tags`: "干皮、保湿补水")
    "chat.memory": Spec.of(KF_TEXT, "name", "tags"),
    # "你们客服几点上班": `hours` = "周一至周五 09:00-21:00" ([escalation] working days and hours), `how` = how
    # to reach a person now (handlers/questions/queue.py how_to_reach: now, or when they are back)
    # "english" phrasings ("what time are your staff online?"): `hours_en` "Mon-Fri 09:00-21:00 (China time)", `how_en`
    "chat.staff_hours": Spec.of(KF_TEXT, "name", "hours", "how", "hours_en", "how_en"),
    # "你们是不是骗子啊" (after the knowledge base's authenticity answer, if it has one): who we are, and a
    # person one word away; no hand-off (handlers/replies/smalltalk.py DOUBT)
    "chat.doubt": Spec.of(KF_TEXT, "name"),
    # "你们跟珀莱雅比怎么样": a warm line about what suits the customer, never a claim about the other brand
    "chat.compare": Spec.of(KF_TEXT, "name"),
    # "picked": the kind a pick assumed, confirmed right after it ("对 就是干皮" after "干皮推荐「柚润保湿霜」…"): the
    # `product` chosen, in a line, never the whole answer again (handlers/replies/followup.py `carried_on`);
    # "confirmed": the kind confirmed after an answer that names no product ("对 我就是油皮"): the advice stands
    "chat.ack": Spec.of(KF_TEXT, "name", "product"),
    # the customer is buying now ("那我先下单试试"); with "不行再退", the returns entry's `answer` (buying.py)
    "chat.buying": Spec.of(KF_TEXT, "name"),
    "chat.buying_returns": Spec.of(KF_TEXT, "name", "answer"),
    # "好的，那我等你们消息" with a question or ticket open: the colleague answers in this chat
    "chat.ack_pending": Spec.of(KF_TEXT, "name"),
    "chat.first_visit": Spec.of(KF_TEXT, "name"),  # "哈喽，第一次来": one welcome and what the persona helps with
    "chat.emoji": Spec.of(KF_TEXT, "name"),
    "chat.other": Spec.of(KF_TEXT, "name"),  # a statement, not a question
    # a question for nobody at the shop ("今天天气怎么样", "你说我要不要辞职"; handlers/replies/offtopic.py):
    # what the persona does help with, never a colleague's promise
    "chat.offtopic": Spec.of(KF_TEXT, "name"),
    "media.image": Spec.of(KF_TEXT, "name"),
    "media.checkin_photo": Spec.of(KF_TEXT, "name"),  # a photo that became today's check-in proof
    "media.voice": Spec.of(KF_TEXT, "name"),
    "media.video": Spec.of(KF_TEXT, "name"),
    "media.file": Spec.of(KF_TEXT, "name"),
    "media.other": Spec.of(KF_TEXT, "name"),
    "reply.opt_in": Spec.of(KF_TEXT, "name"),
    "staff.help": Spec.of(APP_TEXT, "staff", "commands"),
    "staff.unknown_command": Spec.of(APP_TEXT, "staff", "command"),
    "staff.not_allowed": Spec.of(APP_TEXT, "staff", "command", "role"),
    "staff.plain_text": Spec.of(APP_TEXT, "staff"),
    # escalation to human advisors (customer-facing, persona voice)
    "escalation.handoff": Spec.of(KF_TEXT, "name", "advisor"),  # an advisor is taking the chat over
    "escalation.queued": Spec.of(KF_TEXT, "name"),  # working hours, nobody free yet
    "escalation.queued_off_hours": Spec.of(KF_TEXT, "name", "opens_at"),  # out of hours: when they are back
    "escalation.already_open": Spec.of(KF_TEXT, "name", "advisor"),  # asked again while the ticket waits
    "escalation.follow_up": Spec.of(KF_TEXT, "name", "advisor"),  # the advisor closed the ticket
    "escalation.closed": Spec.of(KF_TEXT, "name"),  # closed without anyone having answered the customer
    # the chat went to WeCom's reception pool: a colleague will answer in this chat (now, or when back)
    "escalation.pooled": Spec.of(KF_TEXT, "name"),
    "escalation.pooled_off_hours": Spec.of(KF_TEXT, "name", "opens_at"),
    # an adverse reaction ([escalation] safety_topics): stop using, rinse, a doctor if it worsens, a photo;
    # sent before any hand-off or working-hours promise
    "escalation.safety": Spec.of(KF_TEXT, "name", "topic"),
    # someone claiming to be our staff asked for money ([escalation] scam_topics): a warning before the hand-off
    "escalation.scam": Spec.of(KF_TEXT, "name", "topic"),
    # a topic only a person can act on ([escalation] handoff_only_topics, "刚下的单 先别发货": 改单): the request
    # acknowledged before the hand-off, never a knowledge-base answer
    "escalation.handoff_only": Spec.of(KF_TEXT, "name", "topic"),
    # something went wrong for the customer ([escalation] apology_topics: 投诉, 收货问题): sorry, before the rest
    "escalation.sorry": Spec.of(KF_TEXT, "name", "topic"),
    # of those, one a photo settles ([escalation] photo_topics: 收货问题): sorry, and a photo of the goods asked for
    "escalation.sorry_photo": Spec.of(KF_TEXT, "name", "topic"),
    "reply.already_subscribed": Spec.of(KF_TEXT, "name"),  # "订阅" from a customer who never opted out
    # "我说的是那种优惠推送" from a customer who opted out: they are off (handlers/antispam), no push's content
    "reply.opted_out_already": Spec.of(KF_TEXT, "name"),
    "reply.still_here": Spec.of(KF_TEXT, "name"),  # "那我有问题还能来问吗" (after an opt-out, or anytime)
    # a customer asking about their own order (handlers/orders/chat.py): the shop's facts, never tracking
    # data Wanzi does not have. `paid`/`due`/`refunded` are local "3月1日 14:30"; `due` = paid + `hours`
    # ([orders] ship_within_hours); `where` = where the tracking shows ("天猫的订单详情")
    "order.status": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "hours", "due", "where"),
    "order.status_plain": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "where"),  # no promise configured
    "order.overdue": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "hours", "due", "where"),  # then a person
    "order.refunded": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "refunded"),  # then a person
    # the shop reported the parcel sent: `shipped` local time, `parcel` "（顺丰 SF123…）", "（顺丰）" or ""
    # (written to follow 发出: "{shipped} 已经发出{parcel}啦")
    "order.shipped": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "shipped", "parcel", "where"),
    # damaged goods, a refund, "人工" about an order: the order goes to the person with the ticket
    "order.handoff": Spec.of(KF_TEXT, "name", "order_id", "paid", "items"),
    "order.ask_number": Spec.of(KF_TEXT, "name"),  # no order found for the customer
    # a purchase named with nothing asked ("上个月买的那个"): which order it is, its `state` ("已经发出（顺丰）",
    # "还在等待发货", "已经退款"), and what they want to know of it
    "order.about": Spec.of(KF_TEXT, "name", "order_id", "paid", "items", "state"),
    # no shop reports orders and the customer complains the parcel is late: an apology, then a person looks
    "order.late": Spec.of(KF_TEXT, "name"),
    "order.not_found": Spec.of(KF_TEXT, "name", "order_id"),  # unknown, or another customer's: the same words
}

# --- community operations: topics, check-ins, points, referrals -----------------------
_CAMPAIGN = frozenset({"name", "campaign", "days", "window", "keyword"})
COMMUNITY: dict[str, frozenset[str]] = {
    "community.topic_post": frozenset({"topic", "group", "link_title"}),
    "community.topic_owner_reminder": frozenset({"staff", "group", "count", "chats", "topic"}),
    "checkin.ok": _CAMPAIGN | {"day", "streak", "total", "rank_today", "points"},
    "checkin.duplicate": _CAMPAIGN | {"streak", "total", "rank_today"},
    "checkin.too_early": _CAMPAIGN,
    "checkin.late": _CAMPAIGN,
    "checkin.not_started": _CAMPAIGN | {"start"},
    "checkin.ended": _CAMPAIGN | {"total"},
    "checkin.not_eligible": _CAMPAIGN,
    "checkin.need_content": _CAMPAIGN,
    "checkin.makeup_ok": _CAMPAIGN | {"date", "left", "streak", "total", "points"},
    "checkin.makeup_none": _CAMPAIGN,
    "checkin.makeup_used_up": _CAMPAIGN | {"limit"},
    # "我连续打卡几天了", "打卡断了还能补吗" (handlers/checkin/asking.py): the customer's days and make-up cards left
    "checkin.progress": _CAMPAIGN | {"streak", "total", "makeup_keyword", "makeup_days", "makeups_left"},
    "checkin.progress_no_makeup": _CAMPAIGN | {"streak", "total"},
    "checkin.progress_new": _CAMPAIGN,  # not in the camp yet
    "checkin.on_now": _CAMPAIGN,  # "最近有什么活动吗": a camp the customer may join, a line of `reply.whats_on`
    # "打卡有奖励吗", "坚持7天能拿到什么" (handlers/checkin/asking.py): the milestones ("累计 3 天：20 积分；…"),
    # the points per counted day, and the days to the next milestone
    "checkin.rewards": _CAMPAIGN | {"points", "milestones", "total", "next_day", "to_next", "next_rewards"},
    "checkin.rewards_done": _CAMPAIGN | {"points", "milestones", "total"},  # every milestone reached
    "checkin.rewards_new": _CAMPAIGN | {"points", "milestones"},  # not in the camp yet
    "checkin.rewards_none": _CAMPAIGN | {"points"},  # no milestones, points for each counted day
    "checkin.rewards_nothing": _CAMPAIGN,  # neither milestones nor points
    # "我排第几名啊", "打卡排行榜" (handlers/checkin/asking.py): the customer's own place among those with a day counted
    "checkin.rank": _CAMPAIGN | {"rank", "ranked", "total", "streak", "rank_today"},  # checked in today too
    "checkin.rank_not_today": _CAMPAIGN | {"rank", "ranked", "total", "streak"},
    "checkin.which": frozenset({"name", "campaigns", "keyword"}),
    "checkin.no_campaign": frozenset({"name"}),
    "checkin.milestone": frozenset({"name", "campaign", "milestone", "total", "rewards"}),
    "checkin.reminder": _CAMPAIGN | {"day", "streak"},
    "points.balance": frozenset({"name", "points", "level", "rights", "next_level", "to_next"}),
    "points.balance_top": frozenset({"name", "points", "level", "rights"}),
    "points.balance_plain": frozenset({"name", "points"}),
    # "怎么才能升级", "有哪些等级": the levels, their rights and how points are earned, from the config
    "points.levels": frozenset({"name", "levels", "earning", "level", "next_level", "to_next"}),
    "points.levels_top": frozenset({"name", "levels", "earning", "level"}),
    "points.levels_start": frozenset({"name", "levels", "earning", "next_level", "to_next"}),
    "points.level_up": frozenset({"name", "level", "rights", "points"}),
    # reaching `[points] advisor_from_level`: the exclusive advisor named (`advisor`: their name, else 专属顾问)
    "points.level_up_advisor": frozenset({"name", "level", "rights", "points", "advisor"}),
    # members: rewards, redemption, expiry, birthday and the monthly member gift (handlers/points)
    "points.rewards": frozenset({"name", "points", "rewards", "keyword"}),
    "points.rewards_none": frozenset({"name", "points", "cheapest"}),
    "points.redeem_unknown": frozenset({"name", "reward", "rewards"}),
    "points.redeem_short": frozenset({"name", "reward", "cost", "points", "short"}),
    "points.redeem_level": frozenset({"name", "reward", "level"}),
    "points.redeem_out": frozenset({"name", "reward"}),
    "points.redeem_confirm": frozenset({"name", "reward", "cost", "points", "after", "minutes"}),
    "points.redeem_done": frozenset({"name", "reward", "cost", "points"}),
    "points.redeem_nothing": frozenset({"name"}),
    "points.redeem_cancelled": frozenset({"name", "reward"}),
    "points.shipped": frozenset({"name", "reward"}),
    # a reward that ships (handlers/points/shipping.py): "确认兑换" answered with the success and, in the same message,
    # the question where to send it; or the last confirmed address offered (`receiver`, `phone`, `ship_to`: the
    # address, since `address` is how the persona addresses the customer)
    "points.redeem_done_ship": frozenset({"name", "reward", "cost", "points"}),
    "points.redeem_done_again": frozenset({"name", "reward", "cost", "points", "receiver", "phone", "ship_to"}),
    # part of it told: what is still `missing` ("电话和地址") and what was understood (`have`: "张三")
    "points.address_missing": frozenset({"name", "reward", "missing", "have"}),
    "points.address_check": frozenset({"name", "reward", "receiver", "phone", "ship_to"}),  # read back for a yes
    "points.address_saved": frozenset({"name", "reward", "receiver", "phone", "ship_to"}),  # confirmed
    "points.address_ask": frozenset({"name", "reward"}),  # "不对" to a read-back: the whole address asked again
    "points.address_remind": frozenset({"name", "reward"}),  # the one reminder, a push through the gate
    "points.expiry_notice": frozenset({"name", "points", "date", "balance"}),
    # "积分会过期吗" (handlers/points/asking.py): never ([points] expire_months = 0), the rule, or the customer's
    # next lapse (`lapsing` points on `date`, "4月1日")
    "points.expiry_never": frozenset({"name", "points"}),
    "points.expiry_rule": frozenset({"name", "points", "months"}),
    "points.expiry_next": frozenset({"name", "points", "months", "lapsing", "date"}),
    # "我的积分怎么少了": the balance and the latest ledger rows, one "· 12月3日 +59 订单 T1002" a line
    "points.history": frozenset({"name", "points", "entries"}),
    "points.history_empty": frozenset({"name", "points"}),
    # "兑换的东西什么时候寄": the latest redemption; `date` is when it was redeemed (waiting) or shipped
    "points.redemption_none": frozenset({"name", "keyword"}),
    "points.redemption_waiting": frozenset({"name", "reward", "date"}),
    "points.redemption_shipped": frozenset({"name", "reward", "date"}),
    "points.birthday_ask": frozenset({"name"}),
    "points.birthday_saved": frozenset({"name", "date"}),
    "points.birthday_perk": frozenset({"name", "date"}),
    "points.birthday": frozenset({"name", "level"}),
    "points.monthly_gift": frozenset({"name", "level", "rights"}),
    "referral.joined": frozenset({"name", "campaign", "tiers"}),
    "referral.link": frozenset({"name", "campaign", "tiers", "qr_code"}),
    "referral.progress": frozenset({"name", "campaign", "count", "next_gift", "to_next"}),
    "referral.first_friend": frozenset({"name", "campaign", "count", "next_gift", "to_next"}),
    "referral.progress_done": frozenset({"name", "campaign", "count"}),
    "referral.tier_reached": frozenset({"name", "campaign", "count", "gift", "tier"}),
    "referral.no_campaign": frozenset({"name"}),
    "referral.rules": frozenset({"name", "campaign", "tiers", "keyword"}),  # "邀请朋友有什么奖励吗"
    # "最近有什么活动吗": the running campaign as a line of what is on (`reply.whats_on` joins the lines)
    "referral.on_now": frozenset({"name", "campaign", "tiers", "keyword"}),
    "referral.not_joined": frozenset({"name", "campaign", "tiers", "keyword"}),  # "我邀请了几个人了", no code yet
    "referral.unavailable": frozenset({"name"}),
    "referral.staff_winner": frozenset({"staff", "campaign", "customer", "count", "gift", "tier"}),
}
MASS_TEXT = 4000  # add_msg_template text (customer-contact.md §10)
TEMPLATES.update({key: Spec(facts, MASS_TEXT if key == "community.topic_post"
                            else APP_TEXT if key in ("community.topic_owner_reminder", "referral.staff_winner")
                            else KF_TEXT)
                  for key, facts in COMMUNITY.items()})

# Families whose member names the persona itself declares: `stage.<name>` is the preset content
# pushed once when a customer enters lifecycle stage <name> (a [stages.<name>] table). Pushes go
# by kf/send_msg or add_msg_template, so the tighter kf limit applies.
FAMILIES: dict[str, Spec] = {
    "stage": Spec.of(KF_TEXT, "name", "stage"),
}

# Kept for callers that only need the facts of the fixed keys.
TEMPLATE_FACTS: dict[str, frozenset[str]] = {key: spec.facts for key, spec in TEMPLATES.items()}


def spec_for(key: str) -> Spec | None:
    """The spec of a fixed key or of a family member (`stage.interested`); None if unknown."""
    if key in TEMPLATES:
        return TEMPLATES[key]
    family, _, member = key.partition(".")
    return FAMILIES.get(family) if member else None
