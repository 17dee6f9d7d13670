"""Several questions in one message: "你们这个保湿霜孕妇能用不 还有保质期多久", "你们是正品吗？保质期多久？".

The knowledge base is asked the whole message and answers with the entry it is surest of; a person would answer
each question, in the order asked. So each clause that is a question of its own is asked too: the entries the
knowledge base is sure of answer their clauses in turn (the first as any answer, the others as `reply.faq_also`,
naming the clause), and a question clause none is sure of, when another clause was answered, goes to a person
like any unanswered question ("面霜多少钱 保质期多久": the shelf life, and the price queued).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.escalation.rules import is_question
from handlers.replies.knowledge import KnowledgeBase
from handlers.replies.price import asks_price, gives_price
from handlers.replies.reading import CLAUSES
from persona.faq import FaqMatch

MAX_ANSWERS = 3  # three questions in one message is already a lot; more would be a wall of text
# Words that lead into the next question and are no part of it: "还有保质期多久", "另外 发什么快递", "顺便问下…"
_LEAD = re.compile(r"^((还有(就是)?|另外|然后|以及|再就是|对了|顺便|再|还)?(我)?(想)?(问(一)?下|问问|请问)|"
                   r"还有(就是)?|另外|然后|以及|再就是|对了|顺便|还有个问题)")


@dataclass(frozen=True, slots=True)
class Asked:
    """The questions of one message, each with the entry sure to answer it (None: none is)."""

    answered: list[tuple[str, FaqMatch]]  # in the order asked, one clause per entry
    unanswered: list[str]  # question clauses no entry is sure of


def question_clauses(text: str) -> list[str]:
    """The clauses of `text` that each ask something of their own (three characters or more once the lead-in
    words are dropped); fewer than two means the message asks one thing."""
    clauses = []
    for part in CLAUSES.split(text.strip()):
        clause = _LEAD.sub("", part)
        if len(clause) >= 3 and is_question(clause):
            clauses.append(clause)
    return clauses


async def each_asked(kb: KnowledgeBase, text: str, first: FaqMatch | None = None) -> Asked | None:
    """The message's questions, each asked of the knowledge base on its own; None when it asks one thing or
    when that adds nothing to `first` (the whole message's answer, None when it had none). `first` is answered
    in its place when a clause is sure of it too, else first of all."""
    clauses = question_clauses(text)
    if len(clauses) < 2:
        return None
    answered: list[tuple[str, FaqMatch]] = []
    unanswered: list[str] = []
    for clause in clauses:
        match = await kb.best(clause)
        if match is not None and asks_price(clause) and not gives_price(match.entry):
            match = None  # "面霜多少钱": the cream's pitch names no price
        if match is None:
            unanswered.append(clause)
        elif all(match.entry.id != m.entry.id for _, m in answered):
            answered.append((clause, match))
    if first is not None and all(first.entry.id != m.entry.id for _, m in answered):
        answered.insert(0, (text, first))
    answered = answered[:MAX_ANSWERS]
    # beside the whole message's answer, a clause no entry is sure of may be what that answer covers ("保质期多久
    # 开封了呢"): only when the whole message had no answer do such clauses go to a person
    unanswered = unanswered if first is None and answered else []
    if len(answered) < 2 and not unanswered:
        return None
    return Asked(answered, unanswered)
