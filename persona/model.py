"""Persona model and renderer. Rendering is pure: time, day, channel and history arrive as facts."""

from __future__ import annotations

import codecs
import hashlib
import re
import string
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from persona.faq import FaqEntry
    from persona.rules import TagRule

TIME_SLOTS = ("morning", "noon", "afternoon", "evening", "night")
# Phrasings for what the chat has said rather than for the hour, under the same key: "told" — the
# customer has just told what the matter is, so chat.angry apologises for it and asks nothing (and reply.shopping and
# reply.shopping_for ask no more the skin type a wish told, "帮男朋友挑个洗面奶 他是油皮"; and reply.followup carries on
# what the answer just given turns on, told, without "放心": "对 就是干皮" after the dry-skin pick, "大概离你们七八公里"
# after "5 公里内可以配送", or the pick for a skin type told after an answer about a condition, with its caution:
# "我是干皮" after "孕妇可以用吗"); "priced" —
# the question is the price of a product named ({product}), so reply.fallback and reply.unknown name it; "kept" —
# a birthday told is kept while no birthday greeting is configured, so points.birthday_saved promises none;
# "ours" — praise of what the brand sells or how it serves ("包装好精致"), so chat.praise thanks on the brand's
# behalf; "later" — the customer will ask someone or think it over and come back ("回头问问她喜欢啥"), so chat.ack
# waits for them; "request" — a request or demand, not a question ("帮我开个发票"), so reply.fallback and
# reply.unknown never call it a good question; "again" — the persona told this customer how to reach a person a
# few minutes ago, so reply.unknown does not say it all over again; "trouble" — a trouble of the customer's skin
# told that no entry is for ("我最近脸上老是出油 还长痘"), so reply.noted says it is sorry before what it noted, and
# reply.fallback and reply.unknown say it back ({concern}) when a question told it ("我最近老是爆痘 是不是跟换季有关");
# "self" — a wish or pick for the customer themself, naming no one else and no gift ("想买点护肤品"), so
# reply.shopping asks their skin type, what bothers it and the budget, never whom it is for; "aged" — the age of
# whom a product is for was told with the wish ("面霜适合我妈用吗 她五十多了"), so reply.shopping_item asks it no more;
# "budgeted" — the budget was told with the wish ("想给闺蜜买个礼物 预算两百"), so reply.shopping_for and
# reply.shopping_item ask it no more; "condition" — only a condition (pregnancy, breastfeeding) was told with a pick
# ("我怀孕了 有什么能用的"), so reply.shopping_told says its caution and asks the skin trouble too ("trouble" there:
# only a skin trouble was told, "脸上长痘 有推荐吗", said back with no caution); "one" — 猜你想问 has a single
# entry to offer, so reply.clarify asks it yes or no ("你是想问「下单后多久发货」吗？"), not as a numbered list of one;
# "more" — the customer adds a question or detail to the one a colleague is on ("那你们有适合痘痘肌的东西吗"), so
# chat.ack_pending says it is passed on too, not "先去忙吧"; "also" — one question of a message of several that
# no entry answered while the others were ("想问下你们家有防晒吗 还有快递发哪家"), so reply.fallback and reply.unknown
# name it ({question}): after the answers, a bare promise would not say which question it is about; "english" — the
# customer wrote in English ("do you ship to Hong Kong?"), so reply.fallback and reply.unknown say it in English too,
# and so does small talk ("hello there", "thanks a lot", "ok thanks, bye", "good night", "are you a bot?", "anyone
# there?", "ok got it", "you're so helpful": chat.greeting and greet_again, chat.thanks, chat.bye, chat.goodnight,
# chat.robot, chat.presence, chat.ack, chat.praise; chat.ack_pending's, for an ok while a colleague has the question,
# as for a detail added to it), each Chinese first, then English on a line of its own.
# "waiting" — a colleague already has the customer's matter (an open ticket), so chat.angry says it is in hand
# rather than offering 「人工」 once more. "picked" and "confirmed" — chat.ack for the kind an answer was for, confirmed
# right after it ("对 就是干皮"): the product it named, or (naming none) the advice standing, never said again whole.
SITUATIONS = ("told", "priced", "kept", "ours", "later", "request", "again", "trouble", "self", "aged", "budgeted",
              "condition", "one", "more", "also", "english", "waiting", "picked", "confirmed")

# Pictographs, dingbats and the variation selector: dropped when the persona's voice has no emoji.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")


# "{answer} 还有什么想问的": a space after a full-width stop (the answer's 。) is a typo in a Chinese chat.
_CJK_GAP = re.compile(r"(?<=[。！？；～…」）])[ \t]+(?=[\u4e00-\u9fff「（])")


class PersonaError(ValueError):
    """A persona file problem; names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


def read_text(path: Path) -> str:
    """An operator's file as text: UTF-8 (with or without the BOM Excel and Notepad put first), UTF-16 with
    its BOM, or, as Excel ("CSV (逗号分隔)") and older Notepad save them on Chinese Windows, GBK (read as
    GB18030, its superset). Anything else is a PersonaError naming the file and the first line that is neither.
    FileNotFoundError is the caller's to name."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode 文本"
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
    # GBK text is hardly ever valid UTF-8 anywhere; UTF-8 text with a damaged byte is valid nearly everywhere,
    # and is not read as GBK (it would read as other characters, silently).
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd")
    if sum(not c.isascii() for c in lenient) - damaged <= damaged:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    raise PersonaError(str(path), f"line {line}", "is neither UTF-8 nor GBK text: save the file as UTF-8 "
                                                  "(Excel: 另存为 → CSV UTF-8（逗号分隔）)")


def read_toml(path: Path) -> dict[str, Any]:
    """A persona or rules file as a table; a missing or broken file is a PersonaError naming it."""
    try:
        return tomllib.loads(read_text(path))
    except FileNotFoundError:
        raise PersonaError(str(path), "file", "not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(str(path), "file", f"not valid TOML: {exc}") from None


def time_slot(hour: int) -> str:
    """The part of the day a local hour is in; 11:00-12:59 is 中午 (noon), never 下午."""
    if 5 <= hour < 11:
        return "morning"
    if 11 <= hour < 13:
        return "noon"
    if 13 <= hour < 18:
        return "afternoon"
    if 18 <= hour < 23:
        return "evening"
    return "night"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def variant_id(text: str) -> int:
    """A stable id of one phrasing, so "not the same as last time" survives edits and overlays."""
    return zlib.crc32(text.encode("utf-8")) & 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    brand: str
    intro: str
    address: str = "亲"  # how the persona addresses customers
    signoff: str = ""
    emoji: bool = True
    model: str = "interest"  # operating model: interest | expert | advisor | guide


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    variants: tuple[str, ...]
    by_slot: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def options(self, slot: str | None) -> tuple[str, ...]:
        return (self.by_slot.get(slot) if slot else None) or self.variants


@dataclass(frozen=True, slots=True)
class Holiday:
    """Dates (MM-DD every year, or YYYY-MM-DD once) on which some texts are replaced."""

    name: str
    dates: tuple[str, ...]
    templates: Mapping[str, Template]

    def covers(self, day: date) -> bool:
        # not strftime("%m-%d"): four times slower, and every render asks (bench/README.md, ninth session)
        return f"{day.month:02d}-{day.day:02d}" in self.dates or day.isoformat() in self.dates


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often the persona may push (not answer): caps per customer and quiet hours."""

    daily_cap: int = 1
    weekly_cap: int = 3
    quiet_start: time | None = None
    quiet_end: time | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    """A lifecycle stage: entered forward only (by rank); its tag lives in the stage tag group."""

    name: str
    label: str
    rank: int
    tags: tuple[str, ...] = ()  # "group:name" tags that put a customer in this stage


@dataclass(frozen=True, slots=True)
class Rendered:
    key: str
    text: str
    variant: int


@dataclass(frozen=True, slots=True)
class Persona:
    profile: Profile
    templates: Mapping[str, Template]
    source: str = "<memory>"
    cadence: Cadence = field(default_factory=Cadence)
    facts: Mapping[str, str] = field(default_factory=dict)  # campaign facts usable in every text
    stages: Mapping[str, Stage] = field(default_factory=dict)
    holidays: tuple[Holiday, ...] = ()
    channels: Mapping[str, Mapping[str, Template]] = field(default_factory=dict)  # per-channel overlays
    rules: tuple[TagRule, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    broadcasts: Mapping[str, str] = field(default_factory=dict)  # /broadcast texts by name
    scripts: Mapping[str, str] = field(default_factory=dict)  # 话术: quick replies staff send from the chat sidebar
    borrowed: tuple[str, ...] = ()  # template keys the file lacks, taken from its model's preset (loader.py)

    def has(self, key: str) -> bool:
        return key in self.templates

    def holiday_on(self, day: date) -> Holiday | None:
        if not self.holidays:
            return None
        return next((h for h in self.holidays if h.covers(day)), None)

    def stage_label(self, name: str) -> str:
        """What staff read for a stored stage key ("new" → 新朋友); an unknown key as stored."""
        stage = self.stages.get(name)
        return stage.label or name if stage else name

    def stage_of_tags(self, tags: set[str]) -> Stage | None:
        """The highest stage implied by a customer's "group:name" tags."""
        implied = [s for s in self.stages.values() if tags.intersection(s.tags)]
        return max(implied, key=lambda s: s.rank, default=None)

    def _template(self, key: str, day: date | None, channel_override: str) -> Template | None:
        overlay = self.channels.get(channel_override, {}) if channel_override else {}
        if key in overlay:
            return overlay[key]
        holiday = self.holiday_on(day) if day is not None else None
        if holiday is not None and key in holiday.templates:
            return holiday.templates[key]
        return self.templates.get(key)

    def _options(self, key: str, on: date | None, channel_override: str, slot: str | None,
                 hour: int | None) -> tuple[str, ...]:
        template = self._template(key, on, channel_override)
        if template is None:
            raise PersonaError(self.source, key, "unknown template")
        if slot is None and hour is not None:
            slot = time_slot(hour)
        return template.options(slot or None)

    def fitting(self, key: str, fits: Callable[[str], bool], *, hour: int | None = None, on: date | None = None,
                channel_override: str = "", slot: str | None = None, **facts: object) -> bool:
        """Whether any phrasing `render` would choose from, filled in, is one `fits` accepts."""
        return any(fits(self._fill(key, text, facts)) for text in self._options(key, on, channel_override, slot, hour))

    def render(self, key: str, *, seed: str = "", last_variant: int | None = None, hour: int | None = None,
               on: date | None = None, channel_override: str = "", slot: str | None = None,
               fits: Callable[[str], bool] | None = None, **facts: object) -> Rendered:
        """The text for a key; never the phrasing `last_variant` names when there is a choice.

        Channel overlays beat holiday overlays beat the base text; inside each, a time-of-day
        slot beats the plain variants. `slot` overrides the hour's slot ("" = the plain,
        time-neutral variants: the customer's own greeting named another time of day). `fits`
        keeps only the phrasings it accepts (ask `fitting` first: none left is an error).
        """
        options = self._options(key, on, channel_override, slot, hour)
        if fits is not None:
            options = tuple(text for text in options if fits(self._fill(key, text, facts)))
            if not options:
                raise PersonaError(self.source, key, "no phrasing fits")
        index = int(hashlib.sha256(f"{seed}|{key}".encode()).hexdigest(), 16) % len(options)
        if last_variant is not None and len(options) > 1 and variant_id(options[index]) == last_variant:
            index = (index + 1) % len(options)
        return Rendered(key=key, text=self._fill(key, options[index], facts), variant=variant_id(options[index]))

    def render_broadcast(self, broadcast: str, **facts: object) -> str:
        """A /broadcast text from [broadcasts], in the same voice (facts, emoji policy) as templates."""
        text = self.broadcasts.get(broadcast)
        if text is None:
            raise PersonaError(self.source, f"broadcasts.{broadcast}", "unknown broadcast")
        return self._fill(f"broadcasts.{broadcast}", text, facts)

    def render_script(self, script: str, **facts: object) -> str:
        """A [scripts] quick reply, in the same voice as templates; `name` is the customer's ("" in a group)."""
        text = self.scripts.get(script)
        if text is None:
            raise PersonaError(self.source, f"scripts.{script}", "unknown script")
        return self._fill(f"scripts.{script}", text, {"name": "", **facts})

    def _fill(self, key: str, text: str, facts: Mapping[str, object]) -> str:
        values = {"persona": self.profile.name, "brand": self.profile.brand, "address": self.profile.address,
                  "signoff": self.profile.signoff, **self.facts,
                  **{k: "" if v is None else v for k, v in facts.items()}}
        try:
            text = text.format_map(values)
        except KeyError as exc:
            raise PersonaError(self.source, key, f"missing fact {exc.args[0]!r}") from None
        if not self.profile.emoji:
            text = EMOJI.sub("", text)
        return _CJK_GAP.sub("", text).strip()
