"""Whole kf conversations with the default persona: `python -m bench.dialogues dev|final [--show]`.

tests/dialogue_eval/<split>.toml holds conversations of kf customers, written in their own words,
each turn annotated with the outcomes a thoughtful operator would accept:

    [[conversation]]
    id = "dev01"
    about = "a gift for mum, then shipping"
    turns = [
      { say = "在吗", expect = ["chat.presence", "chat.greeting"] },
      { say = "多久能到呀", expect = ["faq:shipping"] },
    ]

An outcome is the persona's template key without its variant (`chat.thanks`, `escalation.safety`),
`faq:<entry id>` for a knowledge-base answer (reply.faq, reply.followup, reply.price_faq: the entry
whose answer the reply carries; a part answer, reply.faq_partial, is its entry and `reply.faq_partial` too, and a
turn accepting `reply.faq_partial` does not count its entry as a wrong one) or `none` when the bot should stay
silent; a key may end in `*`
(`escalation.*`). A phrasing of a named situation (a slot of the key, `reply.fallback.priced`) is reported
as `key.slot`; a plain key expected accepts each of its slots. A 猜你想问 offer (reply.clarify) that lists an
accepted entry fits too. Once the persona has handed the chat to a person (escalation.handoff, .queued,
.pooled ...), its silence fits every later turn of that conversation: the customer is talking to staff now. A
split with `offers_fit = false` at its top counts only answers: a 猜你想问 offer there does not fit (dev20
measures when one is made needlessly).

A split may name its own shop at its top: `faq = "tests/knowledge_eval/bakery/faq.csv"` (a path from the
repository root, TOML or CSV as `[faq] path` reads it) answers from that knowledge base instead of the demo
one, and `preset = "expert"` speaks in that shipped persona preset instead of the default; CSV entries are
named `faq-1`, `faq-2` … in the order of their lines. A conversation may name its own shop the same way (`faq`,
`preset` beside its `id`): a split can then hold conversations of several trades, each group run on its own bot.
A split's `[config.<section>]` tables set those config sections for all its conversations, as an operator would
(dev27: `[config.points]` levels and a reward, `[config.checkin]` a running camp); without them the default config
runs: no member levels, no camp, no rewards. A turn's `after_h = 20` has the customer come back that many hours
later ("昨天问的那个…": the day before is in the chat's history, outside the minutes a follow-up is read in).

Each conversation runs through the real bot as the tests drive it (tests/harness.py BotUnderTest,
the WeCom emulator's customer_says, SQLite, a fixed working-day clock); the outcomes of a turn are
read from the outbound Message rows written for that customer since the turn began.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.common import ROOT
from bot.appkeys import CONTEXTS
from bot.clock import FakeClock
from handlers.replies.followup import ANSWERS, OFFERS, answered_in, offered_in
from persona import Persona
from persona.faq import FaqEntry
from persona.model import variant_id
from storage.models import Customer, Message
from tests.databases import migrate, sqlite_url
from tests.harness import BotUnderTest, make_config

EVAL = ROOT / "tests" / "dialogue_eval"
# The splits a whole run compares (dev12, dev14, dev16-dev18 are small sandbox sets run on their own)
SPLITS = ("dev", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev13", "dev15", "dev19",
          "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev26", "dev27", "dev28", "dev29", "final", "final2",
          "final3")
START = datetime(2026, 3, 10, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday, working hours
PAUSE_S = 45  # between two turns of a conversation
FALLBACKS = frozenset({"reply.fallback", "reply.unknown"})  # "I'll ask a colleague" / "I don't know"
PARTIAL = "reply.faq_partial"  # an entry said with what it does not say named ("…不过关于老人家能不能用，资料里没写明")
HANDOFFS = ("escalation.handoff", "escalation.queued", "escalation.pooled", "escalation.already_open")


@dataclass(frozen=True, slots=True)
class Turn:
    say: str
    expect: tuple[str, ...]
    offers_fit: bool = True  # the split's `offers_fit = false`: only an answer fits, not 猜你想问 listing it
    after_h: float = 0  # the turn's `after_h`: hours the customer was away before it ("昨天问的那个" the next day)


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    about: str
    turns: tuple[Turn, ...]
    shop: tuple[tuple[str, str], ...] = ()  # the conversation's own `faq` / `preset`, over the split's


@dataclass(frozen=True, slots=True)
class Outcome:
    conversation: str
    turn: Turn
    got: tuple[str, ...]  # the outcomes of the replies, in order; () = silence
    texts: tuple[str, ...]
    handed_over: bool = False  # an earlier turn of the conversation gave the chat to a person

    @property
    def fits(self) -> bool:
        if not self.got:
            return self.handed_over or "none" in self.turn.expect
        offered = {g.removeprefix("offer:") for g in self.got if g.startswith("offer:")}
        return any(accepts(e, g) for e in self.turn.expect for g in self.got) or self.turn.offers_fit and any(
            f"faq:{o}" in self.turn.expect for o in offered)

    @property
    def wrong_faq(self) -> bool:
        """Answered from the knowledge base with an entry the turn does not accept (an entry said in part, with what
        it does not say named, is not, where the turn accepts that part answer)."""
        partial = PARTIAL in self.got and PARTIAL in self.turn.expect
        return not partial and any(g.startswith("faq:") and g not in self.turn.expect for g in self.got)

    @property
    def needless_fallback(self) -> bool:
        """"I'll ask a colleague" (or "I don't know") for small talk or a question the base answers."""
        return any(accepts(f, g) for f in FALLBACKS for g in self.got) \
            and not any(accepts(f, e) for f in FALLBACKS for e in self.turn.expect)


def accepts(expected: str, got: str) -> bool:
    if expected.endswith("*"):
        return got.startswith(expected[:-1])
    return got == expected or got.startswith(f"{expected}.")  # "reply.fallback" accepts "reply.fallback.priced"


def slots_of(persona: Persona) -> dict[tuple[str, int], str]:
    """The named situation (slot) each phrasing of each key belongs to, by its variant id."""
    return {(key, variant_id(text)): slot for key, template in persona.templates.items()
            for slot, texts in template.by_slot.items() for text in texts}


def read(split: str) -> dict[str, Any]:
    return tomllib.loads((EVAL / f"{split}.toml").read_text(encoding="utf-8"))


def shop_of(split: str) -> dict[str, dict[str, Any]]:
    """The config sections a split names its shop with: `[faq] path`, `[persona] preset` and its `[config.*]`
    tables; none by default."""
    return sections_of(read(split))


def sections_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The config sections of a `faq` and a `preset` named in `data` (a split's top or one conversation), over its
    `config` tables."""
    sections: dict[str, dict[str, Any]] = {name: dict(values) for name, values in data.get("config", {}).items()}
    if data.get("faq"):
        sections["faq"] = {"path": str(ROOT / data["faq"])}
    if data.get("preset"):
        sections["persona"] = {"preset": data["preset"]}
    return sections


def load(split: str) -> list[Conversation]:
    data = read(split)
    offers_fit = bool(data.get("offers_fit", True))
    return [Conversation(c["id"], c.get("about", ""),
                         tuple(Turn(t["say"], tuple(t["expect"]), offers_fit, float(t.get("after_h", 0)))
                               for t in c["turns"]),
                         tuple((k, c[k]) for k in ("faq", "preset") if c.get(k)))
            for c in data["conversation"]]


Shop = dict[str, dict[str, Any]]  # config sections: {"faq": {"path": …}, "persona": {"preset": …}}


def by_shop(split: str, conversations: list[Conversation]) -> list[tuple[Shop, list[Conversation]]]:
    """The conversations grouped by the shop they run in (the split's, or their own), in order of first appearance."""
    top = read(split)
    groups: dict[tuple[tuple[str, str], ...], list[Conversation]] = {}
    for c in conversations:
        groups.setdefault(c.shop, []).append(c)
    return [(sections_of({**top, **dict(shop)}), group) for shop, group in groups.items()]


def outcomes_of(message: Message, entries: Sequence[FaqEntry], slots: dict[tuple[str, int], str]) -> list[str]:
    key, _, variant = message.template_key.partition("#")
    if message.template_key.startswith(ANSWERS):
        answered = [f"faq:{e}" for e in sorted(answered_in(entries, message.text))] or ["faq:?"]
        return [*answered, PARTIAL] if key == PARTIAL else answered
    if message.template_key.startswith(OFFERS):
        return [f"offer:{e}" for e in sorted(offered_in(entries, message.text))] or [key]
    slot = slots.get((key, int(variant))) if variant.isdigit() else None
    return [f"{key}.{slot}" if slot else key]


async def replies(bot: BotUnderTest, ext: str, after: int) -> list[Message]:
    async with bot.sessions() as session:
        return list(await session.scalars(
            select(Message).join(Customer, Message.customer_id == Customer.id)
            .where(Customer.external_userid == ext, Message.direction == "out", Message.id > after)
            .order_by(Message.id)))


async def last_id(bot: BotUnderTest) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0)


async def run(conversations: list[Conversation], shop: dict[str, dict[str, Any]] | None = None) -> list[Outcome]:
    """Every turn of every conversation, through one bot on a fresh SQLite database (configured with the
    sections `shop`: another knowledge base or persona preset than the demo shop's)."""
    from emulator import Emulator, EmulatorConfig

    clock = FakeClock(START.timestamp())
    found: list[Outcome] = []
    with tempfile.TemporaryDirectory() as work:
        url = sqlite_url(Path(work) / "dialogues.db")
        await migrate(url)
        wecom = Emulator(EmulatorConfig(callback_retry_delay=0.0, callback_timeout=5.0), clock=clock)
        await wecom.start()
        bot = await BotUnderTest.start(make_config(url, wecom.base_url, **(shop or {})), clock)
        try:
            wecom.connect(f"{bot.url}/wecom/callback")
            entries = list(bot.app[CONTEXTS].services.knowledge.entries)
            slots = slots_of(bot.app[CONTEXTS].persona)
            for n, conversation in enumerate(conversations):
                clock.set(START.timestamp() + n * 600)  # each its own ten minutes of the same morning
                ext = f"wmDlg{n:03d}{conversation.id}"[:32]
                handed_over = False
                for turn in conversation.turns:
                    clock.advance(turn.after_h * 3600)  # back the next day: the chat before is history, no context
                    before = await last_id(bot)
                    await wecom.customer_says(ext, turn.say)
                    await bot.drain()
                    sent = await replies(bot, ext, before)
                    got = tuple(o for m in sent for o in outcomes_of(m, entries, slots))
                    found.append(Outcome(conversation.id, turn, got, tuple(m.text for m in sent), handed_over))
                    handed_over = handed_over or any(g.startswith(HANDOFFS) for g in got)
                    clock.advance(PAUSE_S)
        finally:
            await bot.stop()
            await wecom.stop()
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    turns: int
    fitting: int
    wrong_faq: int
    needless_fallback: int
    conversations: int
    conversations_right: int

    def lines(self, split: str) -> list[str]:
        return [f"{split}: {self.conversations} conversations, {self.turns} customer turns",
                f"  turns with a fitting reply      {self.fitting:4d}  {pct(self.fitting, self.turns)}",
                f"  answered with a wrong FAQ entry {self.wrong_faq:4d}  {pct(self.wrong_faq, self.turns)}",
                f"  needless fallback (ask a colleague / don't know) {self.needless_fallback:4d}  "
                f"{pct(self.needless_fallback, self.turns)}",
                f"  conversations fully right       {self.conversations_right:4d}  "
                f"{pct(self.conversations_right, self.conversations)}"]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def figures(found: list[Outcome]) -> Figures:
    by_conversation: dict[str, bool] = {}
    for o in found:
        by_conversation[o.conversation] = by_conversation.get(o.conversation, True) and o.fits
    return Figures(len(found), sum(o.fits for o in found), sum(o.wrong_faq for o in found),
                   sum(o.needless_fallback for o in found), len(by_conversation),
                   sum(by_conversation.values()))


def misses(found: list[Outcome]) -> list[str]:
    out: list[str] = []
    for o in found:
        if not o.fits:
            said = " | ".join(t.replace("\n", " ")[:60] for t in o.texts) or "(silence)"
            out.append(f"- [{o.conversation}] {o.turn.say}\n    expected {', '.join(o.turn.expect)}; "
                       f"got {', '.join(o.got) or 'none'}\n    said: {said}")
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    split = args[0] if args else "dev"
    if not (EVAL / f"{split}.toml").exists():
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    found = [o for shop, group in by_shop(split, load(split)) for o in asyncio.run(run(group, shop))]
    print("\n".join(figures(found).lines(split)))
    if "--show" in argv:
        print("\n".join(["", "misses:", *misses(found)]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
