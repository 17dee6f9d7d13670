"""What one customer text is, read before the persona says anything (routes.py then replies).

The reads run in a fixed order, each only when the ones before leave it open, because the later
ones cost a model or SQL: `sense_safety` (rules, then the reactions model), `words_of` (the words
alone), `awaited_wish`, `look_up` (the knowledge base and the previous turn), `missed_question`,
`with_their_kind` (a pick asked again with the kind the customer told us), then `read` (follow-ups,
small talk, kept ideas, price talk, feelings, the escalation rules).
routes.py's guards sit between them; a new read goes where its inputs are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from handlers.escalation.config import EscalationConfig
from handlers.escalation.escalate import escalation_trigger
from handlers.escalation.reactions import sense_reaction
from handlers.escalation.rules import (
    Trigger,
    asks_other_cause,
    is_question,
    other_brand,
    own_skin_question,
    reacted_elsewhere,
    reaction_topic,
    safety_topic,
)
from handlers.escalation.scam import warns
from handlers.orders.asking import order_alone
from handlers.questions.queue import open_question_before
from handlers.replies.asked import (
    GENUINE,
    asks_genuine,
    asks_together,
    gives_genuine,
    gives_what_is_asked,
    names_who_and_where,
)
from handlers.replies.closing import closing, found_it
from handlers.replies.config import FaqConfig
from handlers.replies.expiry import about_what_expires, expiring
from handlers.replies.feelings import glad, sense_feeling
from handlers.replies.followup import (
    CHATTER,
    Turn,
    asked_of_another,
    asks_again,
    interpret,
    previous_turn,
    repeats,
    resumes,
    shared_words,
    timed_after,
)
from handlers.replies.price import price_answer, price_talk
from handlers.replies.shopping import (
    Wish,
    asks_for_a_pick,
    asks_for_any_pick,
    asks_for_their_pick,
    asks_suited,
    budget_pick,
    not_bought,
    running_out,
    said_before,
    suits_whom,
    wants_to_buy,
    wish_answered,
)
from handlers.replies.smalltalk import Intent, classify, defers, laughing
from handlers.replies.unnamed import no_product_before, unnamed_price
from handlers.services import Ctx
from handlers.tagging.service import Observation
from persona.faq import FaqEntry, FaqMatch
from persona.followup import gist, leans_on, spoken, topics
from persona.heard import heard
from persona.matcher import kind_names, kinds
from persona.wording import plain, shop_words
from storage.models import Customer
from storage.repos.insights import SuggestionRepo

_HOW = re.compile(r"怎么办|怎么弄|咋办|咋弄|怎么回事|为什么|为啥")  # asking for help, not proposing a change
# A question that proposes a change ("能不能出个旅行装") may be an idea; other questions are not.
_PROPOSES = re.compile(r"(能不能|可不可以|可以|能否|会不会|考虑|打算)(出|做|推出|增加|加|改|换成|上架|上新|开发)")
# What a product idea says: a change or a wish, a fault of the product, or us named ("建议出个旅行装",
# "包装太难撕了", "帮我转告你们老板 面霜真的很好用"). A story about the customer with none of it ("我是跑外卖的
# 天天在外面晒 脸都晒脱皮了", "我对香精有点敏感 所以问问") is no idea to thank for, whatever the suggestion
# model heard in it.
_IDEA = re.compile(r"你们|你家|建议|希望|要是|如果|就好了|更|再|一点|一些|太|难|不好|改|换|出|加|做|求|蹲|许愿|想要|"
                   r"最好|应该|不如|要不|吧")
# An address given ("改成上海市浦东新区xx路", "寄到杭州市西湖区文三路 8 号"): the detail of an order change, never a
# product idea (the sandbox of 2026-12-05 thanked it as a suggestion passed to the product team)
_ADDRESS = re.compile(r"(省|市|区|县|镇)[^，,。！!？?]{0,14}(路|街|道|巷|弄|号|小区|栋|幢|单元|室|村)|"
                      r"\d+\s*(号楼|号院|栋|幢|单元|室)")
# "不是这个", "都不是": the answer just given missed; the question it answered goes to a person
_NOT_THIS = re.compile(r"^(不是|不对|都不是|不是这个|不是这个意思|不是我要的|不是我问的|答非所问|你没懂|没看懂我意思)"
                       r"(哦|啊|呀|吧|呢|诶|哎)?[。.!！~～…]*$")


@dataclass(frozen=True, slots=True)
class Words:
    """What the message says by itself, before the knowledge base or the chat's history is asked."""

    text: str  # as heard (persona/heard.py), stripped; "" for an empty text message, which still gets a reply
    seen: Observation  # the tags and stage it earned
    safety: str | None  # an adverse reaction's topic: safety advice, never a product answer
    numbered: bool  # "订单号 2026030812345678" the orders could not look up: a question for a person
    telling: bool  # told us about the customer, asked nothing ("我是干皮,想要保湿"): acknowledged
    joyful: bool  # "今天收到快递好开心", "面霜yyds", thanks alone: shared joy, not a shipping or cream question
    shopping: bool  # about to buy ("我想给闺蜜买个生日礼物", "…，有推荐吗")
    told: bool = False  # `text` carries the kind the customer told us before ("敏感肌，有什么产品推荐吗")
    said: str = ""  # `text` as the customer wrote it ("請問多久發貨"): what staff and the model are given
    product: str = ""  # whose price `text` asks (unnamed.py: named after "哪款？" or just recommended): named back
    elsewhere: bool = False  # another brand's product hurt their skin, told ("之前用别家的面霜脸痒了好几天")
    own: str = ""  # the customer's own words as heard, when `text` carries the conversation's context too


@dataclass(frozen=True, slots=True)
class Reading:
    """The words with the knowledge base's and the rules' verdicts: routes.respond says one thing from it."""

    words: Words
    turn: Turn | None  # what we answered a moment ago, when the knowledge base was asked
    match: FaqMatch | None  # the entry to answer with
    intent: Intent | None  # small talk, a closing or a feeling: chatted back to
    suggested: bool  # a product idea the insights observer kept: thanked
    price: bool  # a price objection ("太贵了吧")
    trigger: Trigger | None  # why a person must take it, if they must
    again: bool = False  # "再说一遍": the answer just given, once more and whole
    warned: bool = False  # a scam topic ([escalation] scam_topics): the persona's warning, no answer
    unnamed: bool = False  # "多少钱啊" with nothing named before (unnamed.py): which product they mean
    # a topic only a person can act on ([escalation] handoff_only_topics: "先别发货"): acknowledged, no answer
    handoff_only: bool = False
    # "那生日蛋糕呢" right after the allergens answer: the question before, asked of another thing (followup.py
    # `asked_of_another`); unanswered, it goes to a person in its context, never as the bare "那生日蛋糕呢"
    of_another: bool = False
    # something went wrong for them ([escalation] apology_topics: "我要投诉", "收到的是碎的"): sorry first
    sorry: bool = False

    @property
    def said_before_handoff(self) -> bool:
        """Safety advice, a scam warning, the acknowledgement of a topic only a person acts on, or an answer
        the hand-off adds to: said before a person is asked to take it."""
        return (self.words.safety is not None or self.warned or self.handoff_only
                or (self.trigger is not None and self.match is not None))


async def sense_safety(ctx: Ctx, text: str) -> str | None:
    """An adverse reaction's topic, by the rules' words, else by meaning ("面霜用了脸有点痒",
    "狗狗吃了新粮一直吐": reactions.py, only when the words found none)."""
    if not text:
        return None
    escalation = ctx.settings.of(EscalationConfig)
    safety = safety_topic(text, escalation)
    # "最近烂脸期 有适合的吗": asking, not reporting; "之前用别家的擦了就刺挠": not ours (rules.py other_brand)
    if safety is None and not own_skin_question(text) and not other_brand(text) and not asks_other_cause(text):
        safety = await sense_reaction(text, reaction_topic(escalation), ctx.services.reactions)
    return safety


_CLAUSE = re.compile(r"[，,。.!！~～\s]+")


def thanking(text: str) -> bool:
    """Thanks said only in small talk ("谢谢小柚推荐 又回购了两瓶"): thanked, never a follow-up question nor a
    knowledge-base answer to a word in it (推荐); "谢谢你的推荐 我想退货" still asks for something."""
    clauses = [c for c in _CLAUSE.split(text) if c]
    return (classify(text) is Intent.THANKS and not is_question(text)
            and all(classify(c) is not None for c in clauses))


# A product used that did not work for the customer: "我用了一周保湿霜 感觉没什么效果", "擦了半个月也不管用"
# (the sandbox noted it as an interest: "后面有适合你的好物…").
_LET_DOWN = re.compile(r"(没|没有|不)(什么|啥|太|多大|很|怎么)?(明显)?(效果|作用|变化)|"
                       r"效果(不|没)(太|怎么|是很)?(明显|好|行|大)|"
                       r"(效果|作用|变化)(一点)?(都|也)(没有|没|不大|不明显)|不管用|没啥用|没什么用|没用|白用了|白买了")
_USED_IT = re.compile(r"(用|涂|擦|抹|搽|敷)(了|过|完)|买的")


def let_down(text: str) -> bool:
    """The customer tells a product they used did not work for them, asking nothing: for a person to look at (the
    promise in its `told` phrasings), never an interest noted."""
    return not is_question(text) and _LET_DOWN.search(text) is not None and _USED_IT.search(text) is not None


def words_of(text: str, seen: Observation, safety: str | None, said: str = "") -> Words:
    """The words' own flags, read from `text` as heard; `said`: as written, when it differs. An order
    number the orders could not look up (no shop reports orders) asks a person to, whatever tag its
    words earned; joy is never read as a purchase."""
    numbered = bool(text) and order_alone(text)[1]
    # "那我先不买美白的了" names 美白 to decline it: an ok (closing.py), not a wish to note
    telling = (bool(seen.tag_names) and not is_question(text) and not numbered and closing(text) is None
               and not let_down(text))
    joyful = bool(text) and safety is None and (glad(text) or thanking(text))
    # no question, or asking for a pick: the knowledge base if sure, else asked what a recommendation needs;
    # so is a pick of anything we sell asked with nothing about them told, here or in a tag ("有啥推荐的"), or of
    # a budget alone ("两百块钱能买到什么")
    shopping = (bool(text) and safety is None and not joyful
                and ((wants_to_buy(text) and (not is_question(text) or asks_for_a_pick(text)))
                     or (asks_for_any_pick(text) and not seen.tag_names) or budget_pick(text)
                     or asks_suited(text)  # "有适合学生党的吗 预算一百以内", "敏感肌有能用的吗"
                     # a pick for someone named: "我闺蜜生日 她干皮 送啥好", "我男朋友是油皮 有啥推荐的"
                     or (asks_for_a_pick(text) and bool(suits_whom(text)) and not_bought(text))))
    elsewhere = bool(text) and safety is None and reacted_elsewhere(text)
    return Words(text, seen, safety, numbered, telling, joyful, shopping, said=said or text, elsewhere=elsewhere)


async def awaited_wish(ctx: Ctx, customer: Customer, msgid: str, words: Words) -> Wish | None:
    """The wish the persona just asked details for, when this statement gives them ("她是干皮
    预算300左右"): the two together are the question; None otherwise. The history is read only for a
    plain statement: no question, small talk, wish of its own, reaction, nor the choice put off."""
    text = words.text
    if (not text or words.safety is not None or words.shopping or words.elsewhere or is_question(text)
            or classify(text) is not None or defers(text)):  # "回头问问她喜欢啥" tells nothing a pick needs
        return None
    wish = await wish_answered(ctx, customer, msgid)
    return None if wish is not None and wish.checked and not kinds(text) else wish  # "好的 我试试" tells no type


_TRIM = "？?。.！!～~…、 吗呢呀啊哈嘛"
CLAUSES = re.compile(r"[，,。.!！?？~～；;\s]+")  # a message cut into clauses (also several.py)


Written = tuple[tuple[FaqEntry, frozenset[str]], ...]


def written(entries: Sequence[FaqEntry]) -> Written:
    """Each entry with its own phrasings as `asked_as_written` compares them (matching words, trimmed): a
    table of the knowledge base, derived once per index (`KnowledgeBase.derived(written)`)."""
    return tuple((e, frozenset(plain(q).strip(_TRIM) for q in e.questions)) for e in entries)


def asked_as_written(phrasings: Written, text: str) -> FaqEntry | None:
    """The entry one of whose own phrasings (`written`) a clause of the text is, word for word ("干皮面霜推荐",
    "你好呀 多久能到 谢谢"): the owner wrote that question, so it is asked, whatever else the message says or tells."""
    clauses = {c for part in CLAUSES.split(text) if len(c := plain(part).strip(_TRIM)) >= 3}
    if not clauses:
        return None
    return next((e for e, own in phrasings if not own.isdisjoint(clauses)), None)


async def look_up(ctx: Ctx, customer: Customer, msgid: str, words: Words) -> tuple[FaqMatch | None, Turn | None]:
    """The knowledge base's entry when it is sure, or whose own phrasing a clause is (`asked_as_written`), and
    what we answered a moment ago; neither for an adverse reaction, another brand's product, nor for joy or a
    statement that only told us about the customer unless a clause is an entry's phrasing."""
    if not words.text or words.safety is not None or words.elsewhere:
        return None, None
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)  # another replica (or a staff answer) may have changed the knowledge base
    as_written = asked_as_written(kb.derived(written), words.text)
    if as_written is None and ((words.telling and not words.shopping) or words.joyful):
        return None, None
    match = await kb.best(words.text)  # None unless above faq.threshold; embeds in a thread
    if match is None and asks_genuine(words.text) and (genuine := await kb.best(GENUINE)) is not None and (
            gives_genuine(genuine.entry)):
        match = genuine  # "你们卖的是真的吧", "保真吗": the entry on genuine goods, not a yes-or-no offer of it
    if match is None and as_written is not None:
        match = FaqMatch(as_written, 1.0)
    return match, await previous_turn(ctx, customer, msgid)


_RECOMMEND = re.compile(r"求?推荐(一下|下)?")  # the pick word of "有什么活动推荐吗"


async def with_their_kind(ctx: Ctx, customer: Customer, msgid: str, words: Words,
                          match: FaqMatch | None) -> tuple[Words, FaqMatch | None]:
    """A pick asked without a kind ("有什么产品推荐吗", "有啥适合我的") the knowledge base is not sure of,
    from a customer who told us theirs (`their_kinds`): the question with it ("敏感肌，有什么产品推荐吗"),
    answered when the knowledge base is sure of that or its best entry names the kind; the words
    and match unchanged otherwise. A pick of a shop concept ("有什么活动推荐吗" right after the dry-skin cream's
    answer: promotions) is no pick of a product for their skin: the question without the pick word ("有什么活动吗"),
    answered when the knowledge base is sure of that."""
    text = words.text
    if (match is not None or not text or words.safety is not None or words.joyful or words.numbered
            or not asks_for_their_pick(text)):
        return words, match
    if topics(plain(text)) - {"effect"}:
        kb = ctx.services.knowledge
        await kb.sync(ctx.session)
        return words, await kb.best(_RECOMMEND.sub("", text))
    named = {g for g, _ in kinds(text)}
    theirs = frozenset((g, k) for g, k in await their_kinds(ctx, customer, msgid) if g not in named)
    if not theirs:
        return words, match
    told = "，".join(kind_names(theirs))
    asked = f"{told}，{text}"
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)
    match = await kb.best(asked) or for_kind(await kb.rank(asked, 1), asked)
    # the kind told is what a pick of anything needed: no longer a wish to ask about ("有啥推荐的" after "我是油皮")
    return replace(words, text=asked, told=True, said=f"{told}，{words.said}", own=words.own or text,
                   shopping=words.shopping and wants_to_buy(text)), match


async def their_kinds(ctx: Ctx, customer: Customer, msgid: str) -> frozenset[tuple[int, int]]:
    """The kinds (skin type, season ...: persona/matcher.py EXCLUSIVE) the customer told us: in the
    statement the persona acknowledged a moment ago (`reply.noted`), and, for the other groups, in
    their tags (a group whose tags name two kinds names none)."""
    told = kinds(heard(await said_before(ctx, customer, msgid, ("reply.noted#",))))
    tagged = kinds(" ".join(t.name for t in await ctx.repos.tags.of_customer(customer.id)))
    groups = {g for g, _ in told}
    return told | {(g, k) for g, k in tagged if g not in groups and [g for g, _ in tagged].count(g) == 1}


def for_kind(ranked: Sequence[FaqMatch], detail: str) -> FaqMatch | None:
    """The best entry when it names the kind (of skin, season ...) the customer's details name."""
    named = kinds(detail)
    if not ranked or not named:
        return None
    entry = ranked[0].entry
    return ranked[0] if named & kinds(" ".join(entry.questions + entry.keywords)) else None


# A trouble with the customer's skin, told: "我皮肤很干 用啥都不吸收", "脸干到起皮 好难受", "皮肤特别干 抹了还是紧绷".
_TROUBLE = re.compile(r"不吸收|吸收不了|吸收不进|不好吸收|不怎么吸收|起皮|脱皮|紧绷|拔干|干裂|干痒|干到|干得|"
                      r"用啥都|用什么都|怎么(抹|涂|擦)都|(还是|一直|老是|总是)(干|起皮|紧)|难受|不管用|没啥用|没什么用|"
                      r"愁死|烦死|崩溃|"
                      # oily or spotty skin, or dryness in a season: "脸上老是出油 还长痘", "混油皮 冬天会干"
                      r"(老是?|总是?|一直|容易|还|又)(出油|冒油|泛油|长痘|冒痘|爆痘|闷痘)|长痘|冒痘|爆痘|闷痘|"
                      r"(冬天|秋冬|换季|两颊|脸颊|有时候?)[^，,。？?\s]{0,2}(会|容易|就|还)?(干|起皮|紧绷)")
_UNTROUBLED = re.compile(r"(不|没|没有|不再|不怎么)(那么)?(干|起皮|紧绷|难受)了|好多了|改善了")


def skin_trouble(words: Words) -> str:
    """The message tells (asks nothing) of a trouble with the skin of a kind it names, in its words or in the
    tags they earned ("我皮肤很干 用啥都不吸收", "脸干到起皮 好难受": 干皮): the text with those tags, to find the
    entry for that kind with; sympathy and that entry are what a shop assistant gives (routes.py), not a bare
    "收到" nor 猜你想问. "" otherwise: "我是干皮" alone only tells the kind, "现在不干了" tells no trouble."""
    text = words.text
    told = f"{text} {words.seen.tag_names}"
    trouble = (bool(text) and words.safety is None and not words.elsewhere and not words.joyful and not words.shopping
               and not is_question(text) and bool(kinds(told)) and _TROUBLE.search(text) is not None
               and _UNTROUBLED.search(text) is None)
    return told if trouble else ""


def missed_question(text: str, match: FaqMatch | None, turn: Turn | None) -> str:
    """"不是这个" right after an answer (not after a statement the persona only acknowledged since): the
    question that answer missed, still open for a person (the persona's promise); "" otherwise."""
    if match is None and turn is not None and turn.answered and not turn.aside and _NOT_THIS.match(text):
        return turn.question
    return ""


# What kind of thing is wanted, told ("要温和一点不刺激的那种", "想要清爽一点的"): a detail of a wish or of the question
# before, never a feeling (the feelings model took "不刺激" for tiredness).
_WANTS_SUCH = re.compile(r"^(我)?(就|还是)?(要|想要|需要|最好是?|希望是?)[^，,。？?！!]{1,12}(的|那种|那款|一点|一些)"
                         r"(那种|那款|吧|哈|呀|哦|啊)?[。.！!～~]*$")
_LEADS_ON = re.compile(r"^(哦对了|对了|还有|另外|那请问|那么|那)[，,\s]*")


def guessed(entry: FaqEntry, text: str, open_question: str) -> bool:
    """The entry is only near the question in meaning: they share no word (two characters in a row), nor
    does the open question before it speak of what the entry does ("大概多久能开好" after "能开发票吗", and
    "开封后能用多久"; not "多久能到", one of its phrasings, nor "成都几天能到" and "快递几天到", nor after "想寄到成都
    可以吗"); or the open question names a place the entry does not ("那大概要多久" after "可以直接寄到香港吗": the
    shipping entry's days are the mainland's)."""
    # "那多久能到呢" is "多久能到" asked next: a word that leads on from the open question asks nothing of it
    asked = _LEADS_ON.sub("", plain(text).strip("？?。.！!～~ 吗呢呀啊"))
    told = " ".join((*entry.questions, *entry.keywords, entry.answer))
    if not any(asked in q for q in entry.questions) and not names_who_and_where(entry, open_question):
        return True
    return (not any(asked in q for q in entry.questions) and not shared_words(asked, told)
            and not topics(plain(open_question)) & spoken(entry))


_HELP = re.compile(r"怎么办|咋办|咋整|怎么整|怎么弄|咋弄")


async def asks_help_of_the_base(ctx: Ctx, text: str) -> bool:
    """A trouble told as a question of what to do ("晚上喝了老是睡不着咋办") that some entry may answer (its best
    reaches `[faq] clarify_threshold`): a question for the knowledge base (its answer, or 猜你想问), not tiredness to
    comfort; "好累啊 怎么办" with no such entry is still comforted."""
    lower = ctx.settings.of(FaqConfig).clarify_threshold
    if lower <= 0 or not is_question(text) or _HELP.search(text) is None:
        return False
    ranked = await ctx.services.knowledge.rank(text, 1)
    return bool(ranked) and ranked[0].confidence >= lower


async def _leaning_on_open(ctx: Ctx, customer: Customer, text: str) -> FaqMatch | None:
    """A follow-up asking only when, leaning on the question just asked that the persona could not answer
    ("那几月开始能订" right after "月饼礼盒能拆开单买吗", which got the honest reply): the entry that question was
    nearest (at least `[faq] clarify_threshold`), when its answer gives a time (the mooncake box's "8 月开始预订"),
    as for a follow-up to an entry just answered (followup.py `timed_after`); None otherwise (more of that question
    for staff, `more_of_open_question`, or 猜你想问)."""
    before = await open_question_before(ctx, customer)
    if before is None:
        return None
    kb = ctx.services.knowledge
    lower = min(ctx.settings.of(FaqConfig).clarify_threshold or kb.threshold, kb.threshold)
    nearest = await kb.rank(before.text, 1)
    if not nearest or nearest[0].confidence < lower:
        return None
    timed = timed_after(kb.entries, frozenset({nearest[0].entry.id}), text)
    return FaqMatch(timed, nearest[0].confidence) if timed is not None and await kb.chatter(text) < CHATTER else None


async def read(ctx: Ctx, customer: Customer, msgid: str, words: Words, match: FaqMatch | None,
               turn: Turn | None) -> Reading:
    """The rest of the reading, each verdict only when the ones before left the message open."""
    kb = ctx.services.knowledge
    text, safety = words.text, words.safety
    if match is not None and turn is None and text and is_question(text) and not topics(plain(text)):
        before = await open_question_before(ctx, customer)
        if before is not None and guessed(match.entry, text, before.text):
            match = None  # "大概多久能开好" right after "能开发票吗" asks more of it, not the shelf life (routes.py)
    if match is None and turn is None and text and safety is None and is_question(text) and leans_on(text):
        match = await _leaning_on_open(ctx, customer, text)  # "那几月开始能订" after "月饼礼盒能拆开单买吗"
    alone = match  # what the message is sure of on its own, before any context
    again = (match is None and safety is None and turn is not None and asks_again(text)
             and (not turn.aside or resumes(text)))  # "刚说到哪了" after "我先去开个会" too
    entry = next((e for e in kb.entries if e.id in turn.answered), None) if again and turn is not None else None
    if entry is not None:  # (an entry an operator removed since is not said again)
        return Reading(words, turn, FaqMatch(entry, 1.0), None, False, False, None, again=True)
    of_another = False
    if match is not None and turn is not None and not gives_what_is_asked(match.entry, text):
        # "要泡多久" right after the cold-brew answer ("…放冰箱 6 小时"): not how to brew, which names no time
        match = await interpret(kb, turn, text) or match
    if match is not None and turn is not None and match.entry.id not in turn.answered:
        # "多久过期" right after the coupon's "有效期 14 天" is about the coupon, not the shelf life
        interpreted = await interpret(kb, turn, text, sure=match)
        of_another = interpreted is None and await asked_of_another(kb, turn, text, match)
        match = None if of_another else interpreted or match
    if match is not None and expiring(text):  # "要是券过期了还能用不": the coupon's expiry, not the shelf life
        match = about_what_expires(kb.entries, await kb.rank(text, len(kb.entries)), text, match)
    kind = classify(text) if match is not None or safety is None else None  # once: it runs every rule
    if kind is Intent.COMPARE and asks_together(text):
        kind = None  # "你们的面霜能和别家的精华一起用吗": how to use ours beside theirs, a real question, no comparison
    if match is not None and kind is Intent.COMPARE:
        match = None  # "你们家面霜跟兰蔻的比哪个好": our cream beside another brand, never the cream's entry alone
    if match is not None and laughing(text) and not words.telling and not words.shopping:
        match = None  # "xswl 我妈把我面霜当护手霜用了": a funny story told, it asks nothing of the cream's entry
    intent = kind if match is None and safety is None else None
    if intent in (Intent.TIRED, Intent.SAD) and words.shopping and asks_suited(text):
        intent = None  # "有适合熬夜党用的吗" asks for a pick, it tells no tiredness
    if intent in (Intent.TIRED, Intent.SAD) and await asks_help_of_the_base(ctx, text):
        intent = None  # "晚上喝了老是睡不着咋办" asks what to do, which an entry may say ("喝茶睡不着怎么办")
    if words.elsewhere and intent in (None, Intent.SAD, Intent.TIRED, Intent.ANGRY):
        intent = Intent.REACTED_ELSEWHERE  # sympathy and a patch-test tip, never our cream as the cure
    if intent in (None, Intent.GREETING) and safety is None and running_out(text):
        # "我又来啦 上个月买的保湿霜快用完了": welcomed back, not a tag note; and never an entry's answer, which
        # it asks nothing of (the sandbox's "乳液用完了 想回购" got a staff-added "有的～柚见温和卸妆油…")
        intent, match = Intent.RUNNING_OUT, None
    if intent is None and match is None and safety is None and found_it(text):
        intent = Intent.ACK  # "哦哦找到了 在底下那个小字 好嘞": an ok, not a product idea (closing.py)
    if intent is Intent.COMPARE and price_talk(text):
        intent = None  # "你们跟珀莱雅比怎么样 人家便宜多了": the price is the concern (price.py), not the brand
    # A product idea the insights observer kept ("包装太难撕了，换个设计吧", "能不能出个旅行装") is thanked,
    # not answered as a feeling or as a question nobody can answer; one that told us about the
    # customer ("我是油皮 夏天老出油") is acknowledged as that.
    suggested = (match is None and safety is None and intent is None and bool(text) and not words.shopping
                 and not words.telling and not _HOW.search(text) and not laughing(text) and not let_down(text)
                 and _IDEA.search(text) is not None and _ADDRESS.search(text) is None
                 and (not is_question(text) or _PROPOSES.search(text) is not None)
                 and await SuggestionRepo(ctx.session).recorded(customer.id, msgid))
    if match is None and intent is None and not suggested and turn is not None:
        match = await interpret(kb, turn, text)  # "我还没拆呢" right after the returns answer (followup.py)
    # "有没有适合学生党的平价护肤品": a pick with its budget in a word, what suits them asked back, not the coupon
    price = (match is None and intent is None and not suggested and safety is None and price_talk(text)
             and not (words.shopping and asks_suited(text)))
    if price:  # "太贵了吧": the knowledge base's discount entry, if it has one (price.py); not twice in a row
        match = await price_answer(ctx, text, turn.answered if turn is not None else frozenset())
    if (not suggested and intent is None and match is None and not price and safety is None and not words.telling
            and not words.shopping and text and not is_question(text)):
        # "算了不用了，再见": leaving, not upset (closing.py); "最近压力好大，睡不好": a feeling in other words
        # "1000分才换10块 也太抠了吧😂": a grumble told laughing gets a light line, not "sorry"
        intent = closing(text) or (Intent.LAUGH if laughing(text) else None if _WANTS_SUCH.match(text)
                                   else await sense_feeling(text))
    if match is not None and not price and not gives_what_is_asked(match.entry, text):
        match = None  # "那个保湿霜多少钱啊", "面霜跟精华先涂哪个": the cream's entry names no price, no order
    if (match is not None and not again and turn is not None and match.entry.id in turn.answered
            and (alone is None or alone.entry.id != match.entry.id)
            and repeats(turn, gist(match.entry.answer, text), text)):
        match = None  # the same follow-up line again, read into the context only: it asks what that line does not say
    # "多少钱啊" as the first thing said: nobody could answer it; the persona asks which product (unnamed.py)
    unnamed = (match is None and intent is None and not suggested and not price and safety is None
               and unnamed_price(text) and await no_product_before(ctx, customer, msgid))
    # "晚上几点之前能找到人工" asks when, it does not ask for a person now: the hours and how to reach one
    # English shop words are read for the rules in the knowledge base's words ("I want a refund": 退款), so the message
    # is handed over as its Chinese is ("我要退款": the returns answer, then a person for the order)
    trigger = None if intent is Intent.STAFF_HOURS else await escalation_trigger(
        ctx, shop_words(text), can_answer=match is not None,
        small_talk=intent is not None or suggested or words.shopping or unnamed, safety=safety)
    if trigger is not None and trigger.reason == "sensitive" and words.own and words.own != text:
        # "有什么产品推荐吗" read with the kind told before ("敏感肌，…"): a topic only the context names is not theirs
        trigger = await escalation_trigger(
            ctx, words.own, can_answer=match is not None,
            small_talk=intent is not None or suggested or words.shopping or unnamed, safety=safety)
    escalation = ctx.settings.of(EscalationConfig)
    sensitive = trigger.topic if trigger is not None and trigger.reason == "sensitive" else None
    scam = sensitive is not None and sensitive in escalation.scam_topics
    if scam and intent is Intent.DOUBT:  # "你们是不是骗子啊" doubts us, it reports no scam: reassured (routes.py)
        trigger, scam = None, False
    warned = scam and warns(text)  # money or the scammer's next step ("让我加他QQ"): scam.py
    # "刚下的单 先别发货": only a person can hold or change the order; the shipping times are no answer to it
    handoff_only = (trigger is not None and not scam and sensitive is not None
                    and sensitive in escalation.handoff_only_topics)
    sorry = trigger is not None and not scam and sensitive is not None and sensitive in escalation.apology_topics
    return Reading(words, turn, None if handoff_only else match, intent, suggested, price, trigger, warned=warned,
                   unnamed=unnamed, handoff_only=handoff_only, sorry=sorry, of_another=of_another and match is None)
