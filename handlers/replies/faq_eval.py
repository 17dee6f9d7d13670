"""`wanzi faq eval`: how well the knowledge base answers an operator's own test questions.

The QUESTIONS file is a CSV (UTF-8) with a header and the columns
- `question`: what a customer might write, in their own words;
- `expected`: the entry that answers it: its id (TOML `id`, or `<file stem>-<n>` for the n-th
  CSV row) or any one of its phrasings, exactly as in the knowledge base; empty when the
  knowledge base should NOT answer it (off-topic, or a question it has no entry for);
- `kind` (optional): `smalltalk` for greetings, thanks, feelings (counted apart from other
  unanswerable lines); anything else or empty is a question.

Figures, over the questions that have an `expected` entry: top-1 accuracy (the right entry ranks
first, whatever the confidence), answered right (first AND confident, or, below the threshold, the
entry whose answer states what the question asks whether there is: persona/facts.py), answered
wrong (a wrong entry sent so); over the lines without: off-topic answered, small talk answered.
The trade-off table shows them for a range of thresholds, so an operator can choose
`[faq] threshold` for their own base. "Offered (clarify)": of the questions in the band
[clarify_threshold, threshold), the share whose right entry is among the 1-2 entries the persona
would offer (猜你想问), and the shares of off-topic and small-talk lines that would get an offer,
with a table over lower bounds to choose `[faq] clarify_threshold`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from bot.errors import ConfigError
from persona.faq import RANKED, FaqEntry, FaqIndex, FaqMatch, clarify_options
from persona.model import PersonaError, read_text

if TYPE_CHECKING:
    from bot.config import Config

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
CLARIFY_BOUNDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    text: str
    expected: str | None  # entry id; None: must not be answered
    kind: str  # "question" | "offtopic" | "smalltalk"
    line: int
    label: str = ""  # the expected entry's first phrasing, for the report


@dataclass(frozen=True, slots=True)
class Outcome:
    question: EvalQuestion
    top: str | None  # the id of the entry ranked first
    confidence: float
    top_label: str = ""  # its first phrasing
    ranked: tuple[FaqMatch, ...] = ()  # the best two, for the clarify figures
    stated: str | None = None  # the entry whose answer states what is asked (persona/facts.py), if any

    def answered(self, threshold: float) -> str | None:
        """The entry sent at this threshold: the one ranked first when sure, else the stated one."""
        return self.top if self.confidence >= threshold else self.stated


@dataclass(frozen=True, slots=True)
class Offered:
    """猜你想问 at a lower bound: how many questions land in the band, how often the right entry is
    among the options, how often off-topic and small talk would get an offer."""

    lower: float
    band: int
    right_offered: float
    offtopic_offered: float
    smalltalk_offered: float


@dataclass(frozen=True, slots=True)
class Figures:
    threshold: float
    questions: int
    offtopic: int
    smalltalk: int
    top1: float
    right: float
    wrong: float
    offtopic_answered: float
    smalltalk_answered: float


def load_questions(path: str | Path, entries: Sequence[FaqEntry]) -> list[EvalQuestion]:
    """Read a QUESTIONS file; an unknown expected entry or a missing column names file and line."""
    p = Path(path)
    try:
        raw = read_text(p)
    except FileNotFoundError:
        raise PersonaError(str(p), "file", f"not found (looked for {p.resolve()})") from None
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    if reader.fieldnames is None or not {"question", "expected"} <= set(reader.fieldnames):
        raise PersonaError(str(p), "header", "needs the columns question,expected (kind optional)")
    by_key: dict[str, str] = {}
    labels = {entry.id: entry.questions[0] for entry in entries}
    for entry in entries:
        by_key.setdefault(entry.id, entry.id)
        for phrasing in entry.questions:
            by_key.setdefault(phrasing, entry.id)
    out = []
    for row in reader:
        line = reader.line_num
        text = (row.get("question") or "").strip()
        if not text:
            raise PersonaError(str(p), f"line {line}", "empty question")
        expected = (row.get("expected") or "").strip()
        if expected and expected not in by_key:
            raise PersonaError(str(p), f"line {line}", f"expected {expected!r} is neither an entry id nor "
                                                       "a phrasing of the knowledge base")
        kind = "question" if expected else ("smalltalk" if (row.get("kind") or "").strip() == "smalltalk"
                                            else "offtopic")
        entry_id = by_key[expected] if expected else None
        out.append(EvalQuestion(text, entry_id, kind, line, labels[entry_id] if entry_id else ""))
    if not out:
        raise PersonaError(str(p), "file", "has no questions")
    return out


def run(index: FaqIndex, questions: Sequence[EvalQuestion]) -> list[Outcome]:
    """Blocking: rank every question (the index must be built)."""
    outcomes = []
    for q in questions:
        ranked = index.score(q.text, limit=RANKED)
        top = ranked[0] if ranked else None
        stated = index.stated(q.text, ranked)
        outcomes.append(Outcome(q, top.entry.id if top else None, top.confidence if top else 0.0,
                                top.entry.questions[0] if top else "", tuple(ranked[:2]),
                                stated.entry.id if stated else None))
    return outcomes


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def figures(outcomes: Sequence[Outcome], threshold: float) -> Figures:
    asked = [o for o in outcomes if o.question.expected is not None]
    off = [o for o in outcomes if o.question.kind == "offtopic"]
    chat = [o for o in outcomes if o.question.kind == "smalltalk"]
    return Figures(threshold=threshold, questions=len(asked), offtopic=len(off), smalltalk=len(chat),
                   top1=_share([o.top == o.question.expected for o in asked]),
                   right=_share([o.answered(threshold) == o.question.expected for o in asked]),
                   wrong=_share([o.answered(threshold) not in (None, o.question.expected) for o in asked]),
                   offtopic_answered=_share([o.answered(threshold) is not None for o in off]),
                   smalltalk_answered=_share([o.answered(threshold) is not None for o in chat]))


def offered(outcomes: Sequence[Outcome], lower: float, threshold: float) -> Offered:
    def options(o: Outcome) -> list[str]:  # none for a question answered from a stated fact
        return [] if o.answered(threshold) else [e.id for e in clarify_options(o.ranked, lower, threshold)]

    band = [o for o in outcomes if o.question.expected is not None and options(o)]
    return Offered(lower=lower, band=len(band),
                   right_offered=_share([o.question.expected in options(o) for o in band]),
                   offtopic_offered=_share([bool(options(o)) for o in outcomes if o.question.kind == "offtopic"]),
                   smalltalk_offered=_share([bool(options(o)) for o in outcomes if o.question.kind == "smalltalk"]))


def _pct(x: float) -> str:
    return f"{100 * x:5.1f} %"


def report(outcomes: Sequence[Outcome], threshold: float, *, show_misses: bool = True, clarify: float = 0.0) -> str:
    """The figures at `threshold`, the trade-off table, 猜你想问 at `clarify` (0: not shown) and
    (optionally) every miss."""
    f = figures(outcomes, threshold)
    lines = [f"{f.questions} questions with an answer, {f.offtopic} off-topic, {f.smalltalk} small talk; "
             f"threshold {threshold:.2f}",
             f"top-1 accuracy        {_pct(f.top1)}",
             f"answered right        {_pct(f.right)}",
             f"answered wrong        {_pct(f.wrong)}",
             f"off-topic answered    {_pct(f.offtopic_answered)}",
             f"small talk answered   {_pct(f.smalltalk_answered)}",
             "",
             "threshold   right    wrong   off-topic  small talk"]
    for t in sorted({*THRESHOLDS, threshold}):
        g = figures(outcomes, t)
        mark = "  <- threshold used above" if t == threshold else ""
        lines.append(f"   {t:.2f}   {_pct(g.right)}  {_pct(g.wrong)}  {_pct(g.offtopic_answered)}   "
                     f"{_pct(g.smalltalk_answered)}{mark}")
    if clarify > 0:
        c = offered(outcomes, clarify, threshold)
        below = sum(1 for o in outcomes if o.question.expected is not None and o.answered(threshold) is None)
        lines += ["", f"offered (clarify {clarify:.2f}): {c.band} of the {below} questions below the threshold "
                  "(and not answered from a stated fact)",
                  f"  right entry among the options  {_pct(c.right_offered)}",
                  f"  off-topic offered              {_pct(c.offtopic_offered)}",
                  f"  small talk offered             {_pct(c.smalltalk_offered)}",
                  "", "clarify   in band   right offered   off-topic offered   small talk offered"]
        for lower in sorted({*CLARIFY_BOUNDS, clarify}):
            h = offered(outcomes, lower, threshold)
            mark = "  <- clarify_threshold used above" if lower == clarify else ""
            lines.append(f"   {lower:.2f}   {h.band:7d}   {_pct(h.right_offered)}         {_pct(h.offtopic_offered)}"
                         f"             {_pct(h.smalltalk_offered)}{mark}")
    if show_misses:
        misses = [o for o in outcomes if o.answered(threshold) != o.question.expected]
        if misses:
            lines += ["", "misses (line: question -> entry ranked first, confidence; wanted):"]
            lines += [f"  {o.question.line}: {o.question.text} -> {o.top}「{o.top_label}」 {o.confidence:.2f}"
                      + (f" (stated: {o.stated})" if o.stated and o.confidence < threshold else "") + "; "
                      + (f"{o.question.expected}「{o.question.label}」" if o.question.expected else "no answer")
                      for o in misses]
    return "\n".join(lines) + "\n"


def eval_command(config: Config, questions_file: str, kb_file: str | None, threshold: float | None) -> str:
    """`wanzi faq eval`: the configured knowledge base (or `kb_file`) against a QUESTIONS file."""
    from handlers.replies.config import FaqConfig
    from handlers.wiring import faq_entries
    from persona.faq import load_faq_file

    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ConfigError("--threshold", "must be between 0 and 1")
    if kb_file:
        entries = list(load_faq_file(kb_file))
    else:
        from bot.app import load_configured_persona

        entries = faq_entries(config, load_configured_persona(config))
    if not entries:
        where = kb_file or "the persona has no [[faq]] and faq.path names no file"
        raise ConfigError("--kb" if kb_file else "faq.path", f"the knowledge base has no entries ({where})")
    questions = load_questions(questions_file, entries)  # a mistake in it is named before the model loads
    index = FaqIndex(entries)
    index.build()
    chosen = threshold if threshold is not None else config.of(FaqConfig).threshold
    source = kb_file or "the configured knowledge base"
    return f"{source}: {len(entries)} entries\n" + report(run(index, questions), chosen,
                                                            clarify=config.of(FaqConfig).clarify_threshold)
