"""Follow-ups: "我还没拆呢" right after the returns answer is about returns, not a new question.

The customer's previous turn, read from the chat history (the read the model's worker uses), is
context when it came less than FOLLOWUP_MINUTES ago and got an answer from the knowledge base
(`reply.faq`, `reply.followup`, `reply.price_faq`) or a 猜你想问 offer (`reply.clarify`). A message
the knowledge base is not sure of alone is then asked again together with the previous question
(persona/followup.py `in_context`), and the entry found is answered only when that is sure AND the
follow-up's own words still rank the entry among the CANDIDATES best with at least SUPPORT of the
probability: "附近有好吃的吗" after the price of personal training ranks it nowhere, so it is a new
topic, never forced into the old one; nor is a statement ("我明天再来"), a line close to small talk and
off-topic requests ("讲个笑话"), or a follow-up naming a shop concept the entry never speaks of ("那运费谁出"
after the returns answer: persona/followup.py `covers`). A confident answer to the message alone wins,
unless the entry just answered speaks of the concept it names ("多久过期" after the coupon's "有效期 14 天").
An answer on the entry just answered is `reply.followup` with the sentence the follow-up is about
(persona/followup.py `gist`), never the same answer text twice in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, Sequence

from handlers.escalation.rules import is_question
from handlers.replies.clarify import choice
from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, kf_history
from handlers.replies.price import asks_price, gives_price
from handlers.replies.shopping import tells_condition
from handlers.services import Ctx
from persona.faq import DEFAULT_CLARIFY_THRESHOLD, FaqEntry, FaqMatch
from persona.followup import FILLER, covers, gist, in_context, named, sentences, subject, topics
from persona.heard import heard
from persona.matcher import CANDIDATES, EXCLUSIVE, concepts, kinds, mismatched
from storage.models import Customer, Message

SUPPORT = 0.0005  # the follow-up alone must give the entry this probability (tests/followup_eval dev)
CHATTER = 0.915  # ... and be no closer than this to small talk and off-topic lines (the matcher's REFERENCE)
ANSWERS = ("reply.faq#", "reply.followup#", "reply.price_faq#", "reply.again#", "reply.faq_partial#", "reply.concern#",
           "reply.buy_where#", "reply.faq_also#", "reply.whats_on#")
OFFERS = ("reply.clarify#",)
# The product an answer recommends: "干皮推荐「柚润保湿霜」" (not a place to tap: "在小程序「我的-优惠券」里").
RECOMMENDED = re.compile(r"推荐「([^「」]{1,20})」")
# A statement in between ("我是混干 冬天两颊会起皮", "不好意思说错了 是我姐") that only got an acknowledgement,
# or a moment away ("等下 我先去开个会"), keeps the knowledge-base turn before it as the context of the next
# question ("一天用几次啊", "回来了 刚说到哪了"); so does thanks before one more question ("好的 谢谢", then
# "哦对了 还有个事 生产日期在哪看").
ASIDES = ("reply.noted#", "chat.ack#", "chat.other#", "chat.bye#", "chat.thanks#")
_ENDS = "。；;！!？?"  # a follow-up line carries a sentence without its end (persona/followup.py gist)


# "没看清 再说一遍", "你刚才说啥": the answer just given, once more and whole (`reply.again`)
_MISSED = r"(没看清|没看懂|没看到|没听清|看不清)(楚)?(了)?"  # "没看清楚了": the customer missed it
_AGAIN = re.compile(rf"^({_MISSED}|太快了|刷走了|消息被顶上去了)?"
                    r"(能|可以|麻烦|请)?(你)?(再|重新)(说|讲|发|回复|重复)(一遍|一次|一下)?(吗|好吗|呗|可以吗)?$|"
                    r"^(你)?(刚才|刚刚|上面)(说|讲|回|发)(的)?(啥|什么|是啥|是什么)(来着)?$|^重复一(下|遍)$|"
                    # back from a moment away: "回来了 刚说到哪了"
                    r"^(我们|咱们)?(刚才|刚刚|刚)?(说|聊|讲)到哪(了|儿了|里了|儿|里)?$")
# Clauses that may lead up to it: "不好意思 没看清楚 再说一次", "我回来了 刚说到哪了"
_LEAD_IN = re.compile(rf"{_MISSED}|不好意思|抱歉|啊|哦|诶|(我)?(又)?回来(了|啦)")


def asks_again(text: str) -> bool:
    """"再说一遍", "没看清 能再发一下吗": the customer missed the answer just given."""
    clauses = [c for c in re.split(r"[，,。.!！?？~～\s]+", text.strip()) if c]
    return bool(clauses) and bool(_AGAIN.match(clauses[-1])) and all(
        _AGAIN.match(c) or _LEAD_IN.fullmatch(c) for c in clauses)


def resumes(text: str) -> bool:
    """"回来了 刚说到哪了": back after a moment away, asking for the answer given before it."""
    return asks_again(text) and re.search(r"(说|聊|讲)到哪", text) is not None


class Ranker(Protocol):
    threshold: float

    @property
    def entries(self) -> Sequence[FaqEntry]: ...

    async def rank(self, question: str, limit: int = 3) -> list[FaqMatch]: ...

    async def chatter(self, question: str) -> float: ...


@dataclass(frozen=True, slots=True)
class Turn:
    """The context of a follow-up: what the customer asked, what the persona answered or offered."""

    question: str
    answered: frozenset[str] = frozenset()  # entry ids whose answer was sent
    offered: frozenset[str] = frozenset()  # entry ids offered (猜你想问)
    aside: bool = False  # a statement the persona acknowledged came after it (ASIDES): no answer "just given"
    followed: str = ""  # the follow-up lines (`reply.followup`) the persona sent in that turn, if any


def repeats(turn: Turn | None, line: str, text: str) -> bool:
    """Whether a follow-up line would say again what the persona's last follow-up line said, to a
    message about something of its own that the line never names: "那她现在脸上长痘痘怎么办" after "我老婆
    怀孕三个月了" got the pregnancy answer's sentence once asks what that sentence does not say, so a
    third time of it would be a machine's reply (found in the sandbox); "那1000分能换什么" after "积分能换啥呀"
    is told its "1000 分" again, and "要多久" (asking words only) its "7 天"."""
    about = {p for run in subject(text).split() for p in _pairs(run)}  # "在哪领" is 在, 领: no pair across 哪
    return (turn is not None and not turn.aside and bool(line) and line.rstrip(_ENDS) in turn.followed
            and bool(about) and not about & _pairs(line))


def shared_words(text: str, other: str) -> set[str]:
    """The two characters in a row (no filler) both texts have: "几天" of "成都几天能到" and "快递几天到"."""
    return _pairs(text) & _pairs(other)


def _pairs(text: str) -> set[str]:
    """Two characters in a row, spaces left out, neither of them filler: what two texts share when they
    speak of the same thing ("1000 分" and "1000分"; not the 次 of "这次" and "批次")."""
    text = text.replace(" ", "")
    return {text[i:i + 2] for i in range(len(text) - 1) if not set(text[i:i + 2]) & FILLER}


def answered_in(entries: Sequence[FaqEntry], text: str) -> frozenset[str]:
    """The entries whose answer (or one of its sentences, for a follow-up line) a reply carries."""
    return frozenset(e.id for e in entries
                     if e.answer in text or any(s.rstrip(_ENDS) in text for s in sentences(e.answer) if len(s) >= 6))


_ASKED_ONE = re.compile(r"「([^「」]+)」")


def offered_in(entries: Sequence[FaqEntry], text: str) -> frozenset[str]:
    """The entries a 猜你想问 offer lists ("1. 下单后多久发货") or asks yes or no ("你是想问「下单后多久发货」吗")."""
    lines = {line.partition(". ")[2].strip() for line in text.splitlines()} | set(_ASKED_ONE.findall(text))
    return frozenset(e.id for e in entries if e.questions[0] in lines)


def turns(history: Sequence[Message]) -> list[tuple[Message, list[Message]]]:
    """The customer's messages, each with the persona's replies after it, oldest first."""
    found: list[tuple[Message, list[Message]]] = []
    for message in history:
        if message.direction == "in" and not message.staff_userid:
            found.append((message, []))
        elif message.direction == "out" and found:
            found[-1][1].append(message)
    return found


def context_of(history: Sequence[Message], entries: Sequence[FaqEntry], *, since: datetime) -> Turn | None:
    """The turn a new message follows up on: the last one, when the knowledge base answered or
    offered; its question joined with the turn before when that was a knowledge-base turn too
    (a pick such as "1" is no question: the offer's question stands for it). One statement the
    persona only acknowledged may stand between them and the new message (ASIDES)."""
    questions: list[str] = []
    last: Turn | None = None
    aside = False
    for n, (asked, replies) in enumerate(reversed(turns(history)[-3:])):
        if asked.created_at < since or n - aside >= 2:
            break
        keys = [r.template_key for r in replies]
        said = "\n".join(r.text for r in replies)
        if not any(k.startswith(ANSWERS + OFFERS) for k in keys):
            if n == 0 and keys and all(k.startswith(ASIDES) for k in keys) and not is_question(heard(asked.text)):
                aside = True
                continue
            break
        if last is None:
            last = Turn("", answered_in(entries, said) if any(k.startswith(ANSWERS) for k in keys) else frozenset(),
                        offered_in(entries, said) if any(k.startswith(OFFERS) for k in keys) else frozenset(),
                        followed="\n".join(r.text for r in replies if r.template_key.startswith("reply.followup#")))
        if choice(heard(asked.text), 2) is None:
            questions.insert(0, asked.text.strip())
    if last is None or not questions:
        return None
    return Turn("，".join(questions), last.answered, last.offered, aside, last.followed)


async def previous_turn(ctx: Ctx, customer: Customer, msgid: str) -> Turn | None:
    """The customer's previous knowledge-base turn within FOLLOWUP_MINUTES, or None."""
    history = await kf_history(ctx, customer, HISTORY)
    earlier = [m for m in history if not (m.direction == "in" and m.external_msgid == msgid)]
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    return context_of(earlier, ctx.services.knowledge.entries, since=since)


ECHO = 3  # characters in a row of the follow-up's subject the answer must contain ("生产日期": 4)
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def echoed(entries: Sequence[FaqEntry], answered: frozenset[str], text: str) -> FaqEntry | None:
    """The entry just answered whose answer names, word for word, what the follow-up asks about
    ("生产日期在哪看呀" after "…生产日期印在瓶底"): ECHO or more of the subject's characters in a row
    (asking words left out), so the customer is pointed to the sentence they are asking about."""
    runs = [r for r in _HAN.findall(subject(text)) if len(r) >= ECHO]
    for entry in entries:
        if entry.id in answered and any(r[i:i + ECHO] in entry.answer for r in runs
                                         for i in range(len(r) - ECHO + 1) if not set(r[i:i + ECHO]) & FILLER):
            return entry
    return None


# "能用你们的面霜吗" right after the answer to "孕妇可以用吗": whether she may use it, under the condition
# just asked about, when the follow-up names no condition (no skin type, no season) of its own.
_MAY_USE = re.compile(r"(能|可以)(用|涂|擦|抹|吃)[^，,。；;？?]{0,10}(吗|么|嘛)[?？]*$|"
                      r"(能不能|可不可以)(用|涂|擦|抹|吃)")
_PERMITS = re.compile(r"(能|可以)(用|涂|擦|抹|吃)(吗|么|嘛)")


def may_use_under(entries: Sequence[FaqEntry], answered: frozenset[str], text: str) -> FaqEntry | None:
    """The entry just answered when every phrasing of it asks whether one may use things under a
    condition ("孕妇可以用吗", "哺乳期能用吗"; not the shelf life's "过期了还能用吗" among others) and the
    follow-up asks that of a product without a condition of its own ("能用你们的面霜吗")."""
    if not _MAY_USE.search(text) or kinds(text):
        return None
    return next((e for e in entries if e.id in answered and e.questions
                 and all(_PERMITS.search(q) for q in e.questions)), None)


# "不对 我是想问新人优惠券怎么领", "我问的是会员": the customer says the question just answered is not what they
# meant; a message the knowledge base is sure of alone is then a question of its own, never read in that context.
_CORRECTS = re.compile(r"^(?:(?:不对|不是|不是的|错了|搞错了|你理解错了)[，,。.!！\s～~]*)?"
                       r"(?:我|我其实)?(?:是想问|是问|想问的是|问的是|是说|说的是|要问的是)")


# "那保湿霜呢" right after the answer to "…怀孕了 美白的能不能用": what about X asks the question just asked of X,
# though the knowledge base alone is sure of X's own entry.
_WHAT_ABOUT = re.compile(r"^(那|那么)[^，,。？?\s]{1,8}呢[?？]*$")


# "没过敏 就是太油了闷痘", "不是过敏，只是有点干": the customer sets the story of the question just asked
# straight, a statement read in its context as a question would be.
_SETS_STRAIGHT = re.compile(r"^(没|没有|不是|并不是|倒不是|也不是)[^，,。\s]{1,6}[，,。\s]*(就是|只是|主要是|而是)")


def sets_straight(text: str) -> bool:
    """"没过敏 就是太油了闷痘": the story of the question just asked, told better; when no entry fits the
    two together, they are one question for a person (routes.py), not a statement to chat back to."""
    return _SETS_STRAIGHT.search(text) is not None


SPELLED = 6  # characters: a follow-up this short is close to small talk by its length alone


_GOING = frozenset("去到")


def spelled_in(entry: FaqEntry, text: str) -> bool:
    """A few words of a follow-up whose every character, asking words left out, the entry's answer uses ("在哪领"
    after "…在小程序「我的-优惠券」里就能看到"): about that answer, however close to small talk so short a text is."""
    said = {c for c in subject(text) if _HAN.match(c)} - FILLER
    if "哪" in text:  # "去哪领", "到哪里领": going somewhere is how the question asks where, not a word of the answer
        said -= _GOING
    return len(text.strip()) <= SPELLED and bool(said) and all(c in entry.answer for c in said)


FULLY = 3  # characters of its own a follow-up the answer spells must have to need no support of its own words


def spelled_fully(entry: FaqEntry, text: str) -> bool:
    """The answer spells a follow-up of FULLY or more characters of its own ("要提前约吗" after "…需提前一天预约": 提,
    前, 约): about that answer, however little the follow-up's own words rank the entry (`_supported`), which a
    word or two ("在哪领") still need."""
    said = {c for c in subject(text) if _HAN.match(c)} - FILLER
    return len(said) >= FULLY and spelled_in(entry, text)


def spelled_by(entries: Sequence[FaqEntry], answered: frozenset[str], text: str) -> FaqEntry | None:
    """The one entry just answered whose answer spells a few words of a follow-up ("在哪领" right after the coupon's
    "新朋友可以领一张…在小程序「我的-优惠券」里就能看到"): about that answer, though the question joined with the
    one before it ("我是干皮 冬天用什么面霜好，有什么活动推荐吗") ranks the cream of the earlier question first.
    `interpret` takes it only when the entry covers what the follow-up names and its own words support the entry
    (`_supported`), as for the pair's entry: taken on spelling alone, bench.followup final answered one more wrong."""
    said = [e for e in entries if e.id in answered and spelled_in(e, text)]
    return said[0] if len(said) == 1 else None


# A concept of the shop itself, named in a word of its own (not the 几点 any time is asked with): when it opens or
# closes, where it is, where to park. "几点开门" right after the baking times asks when the shop opens, not when a
# batch comes out, though both answers give clock times.
_OF_THE_SHOP = {"hours": re.compile(r"营业|开门|关门|开着|打烊|几点开|几点关"),
                "place": re.compile(r"地址|位置|门店|实体店|线下店|怎么去|哪条路|店在哪"),
                "parking": re.compile(r"停车|车位|停哪|自驾")}


def of_the_shop(entry: FaqEntry, text: str) -> bool:
    """The follow-up names a concept of the shop itself in a word of its own (_OF_THE_SHOP) that the entry's
    phrasings or keywords name: that entry is its answer, whatever was answered a moment ago."""
    own = concepts(" ".join((*entry.questions, *entry.keywords)))
    return any(name in own and words.search(text) for name, words in _OF_THE_SHOP.items())


# The one a price is asked per ("多少钱一个人", "一位多少钱", "人均多少", "一次课多少钱"): the price the answer just
# given names ("168 元一组", "128 元一位") is what the customer asks about, per what it says.
_PER = re.compile(r"(一|每|单|两|几)个?(人|位|份|组|次|节|堂|课|张|盒|罐|斤|包)|人均|每个人")


def priced_per(entries: Sequence[FaqEntry], answered: frozenset[str], text: str) -> FaqEntry | None:
    """The one entry just answered that names a price, when the follow-up asks a price per one of something and
    names no other shop concept ("多少钱一个人" right after "…亲子烘焙课，168 元一组"): its price, not a colleague."""
    if not asks_price(text) or _PER.search(text) is None or topics(subject(text)) - {"price"}:
        return None
    priced = [e for e in entries if e.id in answered and gives_price(e)]
    return priced[0] if len(priced) == 1 else None


# When, asked with nothing else named ("啥时候能买到" right after "每天有全麦欧包…上午 10 点出炉"): the time that answer
# gives. Not the shop's own hours asked in their words ("几点开门": `of_the_shop`).
_ASKS_WHEN = re.compile(r"什么时候|啥时候|啥时|几点|哪天|几号|几月")
_GIVES_WHEN = re.compile(r"\d{1,2}[:：]\d{2}|\d+\s*点|上午|下午|早上|晚上|中午|每天|每周|周[一二三四五六日末]|"
                         r"\d+\s*月|[一二三四五六七八九十]+月")


# What "when" may be asked with and still name nothing: getting it, coming for it, ordering it ("啥时候能买到",
# "几点去拿", "几月开始能订").
_BARE_WHEN = frozenset("买到有来去拿取提做好出开始能可以要再就才订")


def timed_after(entries: Sequence[FaqEntry], answered: frozenset[str], text: str) -> FaqEntry | None:
    """The one entry just answered whose answer gives a time, when the follow-up asks when with no word of its own
    but getting or coming for it (_BARE_WHEN: not "老板啥时候在", "啥时候上新")."""
    rest = {c for c in _ASKS_WHEN.sub(" ", text) if _HAN.match(c)} - FILLER
    if _ASKS_WHEN.search(text) is None or not rest <= _BARE_WHEN:
        return None
    timed = [e for e in entries if e.id in answered and _GIVES_WHEN.search(e.answer)]
    return timed[0] if len(timed) == 1 else None


RIVAL = DEFAULT_CLARIFY_THRESHOLD  # the follow-up's own best entry, this likely, is a reading of its own


async def _rivalled(kb: Ranker, entry: FaqEntry, text: str) -> bool:
    """The follow-up's own words rank another entry first, at least RIVAL likely and twice as likely as `entry`
    ("上面能写个生日快乐不": the writing on a cake, not the ordering of one asked two questions before)."""
    alone = await kb.rank(text, CANDIDATES)
    if not alone or alone[0].entry.id == entry.id or alone[0].confidence < RIVAL:
        return False
    own = next((m.confidence for m in alone if m.entry.id == entry.id), 0.0)
    return alone[0].confidence >= 2 * own


async def asked_of_another(kb: Ranker, turn: Turn, text: str, sure: FaqMatch) -> bool:
    """"那生日蛋糕呢" right after the allergens answer: the question just asked, now of another thing that names no
    shop concept nor kind of its own; the entry the message alone is sure of (ordering a birthday cake) tells what
    that thing is, not the answer to the question asked of it, when the two questions together rank another entry
    first. Neither entry is said then: the question, in its context, is for a person."""
    if not turn.answered or turn.aside or not _WHAT_ABOUT.match(text) or topics(subject(text)) or kinds(text):
        return False
    together = await kb.rank(in_context(turn.question, text), 1)
    return bool(together) and together[0].entry.id != sure.entry.id


async def interpret(kb: Ranker, turn: Turn, text: str, sure: FaqMatch | None = None) -> FaqMatch | None:
    """The entry a follow-up asks about in the context of the previous question, or None (answer
    it as a message of its own). `sure`: the entry the message alone is sure of; the pair's entry
    then wins only when it is the entry just answered and speaks of every shop concept the
    follow-up names, which must be one at least ("多久过期" after the coupon's "有效期 14 天"), or the
    follow-up asks "what about X" ("那保湿霜呢" after the pregnancy answer); never when the follow-up names a
    concept of the shop itself that the sure entry is for ("几点开门" after the baking times: `of_the_shop`).
    Not sure alone, a price asked per one of something ("多少钱一个人": `priced_per`) or "when" asked bare
    ("啥时候能买到": `timed_after`) right after an answer giving one is that answer; the pair's entry is not taken
    when it answered the question before the last and the follow-up alone reads as another entry (`_rivalled`)."""
    if not is_question(text) and not sets_straight(text):  # "我明天再来": not asked in the old context
        return None
    if sure is None and (said := echoed(kb.entries, turn.answered, text)) is not None:
        return FaqMatch(said, 1.0)  # "生产日期在哪看" right after "…生产日期印在瓶底": that answer's sentence
    if (sure is None and (said := spelled_by(kb.entries, turn.answered, text)) is not None and covers(said, text)
            and (spelled_fully(said, text) or await _supported(kb, said, text))):
        return FaqMatch(said, 1.0)  # "在哪领" right after the coupon's "新朋友可以领…": not the question before it
    if sure is not None and (under := may_use_under(kb.entries, turn.answered, text)) is not None:
        return FaqMatch(under, sure.confidence)  # "能用你们的面霜吗" after "孕妇可以用吗"'s answer
    if sure is not None and _CORRECTS.match(text):
        return None  # "不对 我是想问新人优惠券怎么领" after the points answer: what was meant, not more of that answer
    if sure is not None and of_the_shop(sure.entry, text):
        return None  # "几点开门" right after the baking times: the opening hours, not the batches again
    if sure is None and (priced := priced_per(kb.entries, turn.answered, text)) is not None:
        return FaqMatch(priced, 1.0)  # "多少钱一个人" right after "…168 元一组": that price, per what it says
    if (sure is None and (timed := timed_after(kb.entries, turn.answered, text)) is not None
            and await kb.chatter(text) < CHATTER):  # not "今天几号", whatever time was just answered
        return FaqMatch(timed, 1.0)  # "啥时候能买到" right after "…上午 10 点出炉": that time
    if sure is not None and not named(text) and not _WHAT_ABOUT.match(text):  # "一天喂几次": its own entry stands
        return None
    together = await kb.rank(in_context(turn.question, text), 1)
    if not together or together[0].confidence < kb.threshold:
        return None
    entry = together[0].entry
    if sure is not None and (entry.id not in turn.answered or entry.id == sure.entry.id):
        return None
    if not covers(entry, text):  # "那运费谁出" after the returns answer, which says nothing of it
        return None
    if await kb.chatter(text) >= CHATTER and not spelled_in(entry, text):  # "讲个笑话", "股票怎么样"
        return None
    if not await _supported(kb, entry, text):
        return None
    if entry.id not in turn.answered and await _rivalled(kb, entry, text):
        return None  # an entry of the question before the last, while the follow-up alone reads as another
    return together[0]


async def _supported(kb: Ranker, entry: FaqEntry, text: str) -> bool:
    """The follow-up's own words rank `entry` among the CANDIDATES best with at least SUPPORT of the probability."""
    alone = await kb.rank(text, len(kb.entries))
    place = next((n for n, m in enumerate(alone) if m.entry.id == entry.id), None)
    return place is not None and place < CANDIDATES and alone[place].confidence >= SUPPORT


# A wish to use something, told as a statement: "美白那个伊也想用", "精华我也想用" (whether they may, asked without a
# question word); what comes before the verb names the thing.
_WANTS_TO_USE = re.compile(r"(也|还)?(想|想要|要|打算|准备)(用|涂|擦|抹|试试|试)(一下|下|看看)?$")


async def earlier_answer_wished(ctx: Ctx, customer: Customer, msgid: str, text: str) -> tuple[FaqEntry, str] | None:
    """An entry the persona answered in the last FOLLOWUP_MINUTES whose answer names the thing a wish to use
    names ("美白那个伊也想用" after the pregnancy answer "…美白系列含烟酰胺，建议先咨询医生", even with the shelf life
    asked in between), and the sentence of it about that thing: whether they may use it is answered from there, not
    noted as an interest; None otherwise."""
    wish = _WANTS_TO_USE.search(text.strip().rstrip("。.!！~～ 呀啊哦呢"))
    if wish is None or wish.start() == 0:
        return None
    thing = _pairs(text[:wish.start()])
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    for message in reversed(history):
        if message.created_at < since:
            break
        if message.direction != "out" or not message.template_key.startswith(ANSWERS):
            continue
        for entry in ctx.services.knowledge.entries:
            if entry.id in answered_in([entry], message.text) and thing & _pairs(entry.answer):
                return entry, gist(entry.answer, text[:wish.start()])
    return None


async def _last_answer(ctx: Ctx, customer: Customer, msgid: str) -> tuple[Message, str] | None:
    """The persona's last line before message `msgid`, when it was a knowledge-base answer in the last
    FOLLOWUP_MINUTES, and what the customer said last before it ("" when nothing); None otherwise."""
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    at = next((n for n in reversed(range(len(history))) if history[n].direction == "out"), None)
    if at is None:
        return None
    last = history[at]
    if last.created_at < ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES) or not last.template_key.startswith(
            ANSWERS):
        return None
    asked = next((m.text for m in reversed(history[:at]) if m.direction == "in" and m.text), "")
    return last, asked


# A distance, told or given: "大概离你们七八公里", "我家离你们店三公里左右"; "门店 5 公里内可以配送".
_FIGURE = r"[\d一二两三四五六七八九十几百千半来多]+\s*"
_DISTANCE = re.compile(rf"{_FIGURE}(公里|千米|km|KM|里地|里路|站地|站路)|{_FIGURE}(?<!\d)里(?![面边头])|"
                       rf"{_FIGURE}米(?!饭|粉|线)")
_GIVES_DISTANCE = re.compile(r"\d+(\.\d+)?\s*(公里|千米|km|米)|(公里|千米)(以内|内)", re.I)
# The way to us told as a time: "过去估计要一个小时", "开车四十分钟"; an address given: "龙井路 18 号", "地铁 2 号线…".
_TRAVEL = re.compile(rf"{_FIGURE}个?半?多?(小时|钟头|分钟)")
_GIVES_PLACE = re.compile(r"[路街道巷]\s*\d+\s*号|\d+\s*号(?!线)|地铁")


# What a kind told may come with and still only tell it: a yes, the skin, a degree ("对 就是干皮", "嗯嗯 我皮肤比较干").
_ALONG = re.compile(r"对的?|是的|嗯+|没错|就是|确实|我是|我的?|是|皮肤|肤质|脸|比较|有点|很|特别|超级?|偏|属于|"
                    r"那种|的|了|啊|呀|哈|呢|吧|哦|[\s，,。.!！~～]")
_KIND_WORD = re.compile("|".join(sorted((w for group in EXCLUSIVE for kind in group for w in kind), key=len,
                                        reverse=True)))


def _only_kinds(text: str) -> bool:
    """The statement tells kinds and little else (at most three characters more): "对 就是干皮 冬天特别干", not
    "我是干皮 但是最近老长痘" (a trouble told, for its own reply)."""
    return len(_ALONG.sub("", _KIND_WORD.sub("", text))) <= 3


@dataclass(frozen=True, slots=True)
class CarriedOn:
    """What a statement right after a knowledge-base answer carries on: `answer`, said in reply.followup's "told"
    phrasings, or `asked`, the question answered last asked again of another kind."""

    answer: str = ""
    asked: str = ""
    picked: str = ""  # the product the answer recommended, for the kind it assumed ("对 就是干皮"): chat.ack "picked"
    # the kind an answer naming no product was for, confirmed ("对 我就是油皮" after "油皮建议选清爽的啫喱质地…"): the
    # advice stands, chat.ack "confirmed", never its sentence again
    confirmed: bool = False


async def carried_on(ctx: Ctx, customer: Customer, msgid: str, text: str) -> CarriedOn | None:
    """A statement that carries the answer given last (in the last FOLLOWUP_MINUTES) on, read from one look at the
    chat: another kind than the answer's entry is for, asked again of it (`_kind_corrected`: "不是 我是油皮"); the
    kind that answer is for, confirmed (`picked` when it names one product, else `confirmed`: "对 就是干皮"); what
    that answer turns on, told (`_told_of_answer`: "大概离你们七八公里"); a kind told after an answer
    about a condition (`_kind_after_condition`: "我是干皮" after the pregnancy answer). None for anything else."""
    told = kinds(text) if _only_kinds(text) else frozenset()
    distance = _DISTANCE.search(text) is not None or _TRAVEL.search(text) is not None
    if not (told or distance) or is_question(text):
        return None
    found = await _last_answer(ctx, customer, msgid)
    if found is None:
        return None
    answered = [e for e in ctx.services.knowledge.entries if e.id in answered_in([e], found[0].text)]
    if told and (asked := _kind_corrected(answered, found[1], told, text)):
        return CarriedOn(asked=asked)
    if told and (product := _picked(answered, told)):
        return CarriedOn(picked=product)
    if told and any(told <= _kinds_of(e) for e in answered):
        return CarriedOn(confirmed=True)
    if said := _told_of_answer(answered, told, distance):
        return CarriedOn(answer=said)
    if told and (picked := await _kind_after_condition(ctx, answered, found[1], told, text)):
        return CarriedOn(answer=picked)
    return None


def _kinds_of(entry: FaqEntry) -> frozenset[tuple[int, int]]:
    """The kinds an entry is for: those its phrasings, keywords and answer name."""
    return kinds(" ".join((*entry.questions, *entry.keywords, entry.answer)))


def _picked(answered: Sequence[FaqEntry], told: frozenset[tuple[int, int]]) -> str:
    """The one product the entry answered last recommends by name ("干皮推荐「柚润保湿霜」…"), when the kinds told are
    those that entry is for: "对 就是干皮 冬天特别干" confirms what the pick assumed, so the pick is taken up in a line
    ("那就选「柚润保湿霜」啦"), not said again whole; "" otherwise (`CarriedOn.confirmed`: the advice stands)."""
    for entry in answered:
        names = RECOMMENDED.findall(entry.answer)
        if len(set(names)) == 1 and told <= _kinds_of(entry):
            return str(names[0])
    return ""


def _told_of_answer(answered: Sequence[FaqEntry], told: frozenset[tuple[int, int]], distance: bool) -> str:
    """The sentence of the entry answered last that this statement tells what it turns on: a distance where the
    answer gives one ("大概离你们七八公里" right after "门店 5 公里内可以配送": that sentence again, the customer can
    tell), or a distance or a time on the way told right after an address ("我住滨江 过去大概二十公里", "我在浦东 过去
    估计要一个小时"): the address again, their way there in mind. "" otherwise (a kind told is `CarriedOn.picked` or
    `.confirmed`: the answer stands, never said again)."""
    for entry in answered:
        if not told and distance and _GIVES_DISTANCE.search(entry.answer):
            said = next(s for s in [*sentences(entry.answer), entry.answer] if _GIVES_DISTANCE.search(s))
            return said.rstrip("。；;")
        if not told and distance and _GIVES_PLACE.search(entry.answer):
            # "我住滨江 过去大概二十公里" right after the shop's address: where it is again, not a chat line
            said = next(s for s in [*sentences(entry.answer), entry.answer] if _GIVES_PLACE.search(s))
            return said.rstrip("。；;")
    return ""


async def _kind_after_condition(ctx: Ctx, answered: Sequence[FaqEntry], asked: str,
                                told: frozenset[tuple[int, int]], text: str) -> str:
    """A kind told alone ("我是干皮", "嗯 我皮肤比较干") right after the answer to whether one may use things in a
    condition (`asked` "孕妇可以用吗": "…孕期和哺乳期大多可以用；美白系列含烟酰胺…"): the pick for that kind carries on
    with the condition's caution, what a shop assistant would say next ("干皮推荐「柚润保湿霜」…。柚见全线不含酒精和
    水杨酸，孕期和哺乳期大多可以用"), never a note of the tag; "" when no entry is for that kind (the knowledge base's
    best for the statement names it) or the answer before was of anything else."""
    if not tells_condition(asked):
        return ""
    caution = next((e for e in answered if tells_condition(" ".join((*e.questions, *e.keywords)))), None)
    ranked = await ctx.services.knowledge.rank(text, 1)
    if caution is None or not ranked or ranked[0].entry.id == caution.id or not told <= kinds(
            " ".join((*ranked[0].entry.questions, *ranked[0].entry.keywords))):
        return ""
    said = gist(caution.answer, asked).rstrip("。；;，,")
    return f"{ranked[0].entry.answer.rstrip()}{said}。"


def _kind_corrected(answered: Sequence[FaqEntry], asked: str, told: frozenset[tuple[int, int]], text: str) -> str:
    """The question answered last (`asked`) asked again with the kind this statement tells instead of the one
    the entry is for ("不是 我是油皮" right after "干皮推荐「柚润保湿霜」…" asks "用什么面霜" of oily skin): the other
    kind's words of that group left out of it, the statement after it; "" when the kind is the one of the entry answered
    (`_told_of_answer`), or no question came before the answer."""
    if not asked or not any(mismatched(told, kinds(" ".join((*e.questions, *e.keywords)))) for e in answered):
        return ""
    question = heard(asked)
    for group in {g for g, _ in told}:
        question = re.sub("|".join(w for kind in EXCLUSIVE[group] for w in kind), "", question)
    return f"{question.strip()}，{text}"
