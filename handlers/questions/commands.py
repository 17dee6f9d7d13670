"""/answer <问题编号> <回答> [+faq] and /questions: staff keep the persona's promises from the app."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from handlers.questions.answer import answer_question
from handlers.questions.queue import open_list
from handlers.services import Ctx
from handlers.staff.parsing import expect, no_args, number

FAQ_FLAGS = ("+faq", "＋faq")


@dataclass(frozen=True, slots=True)
class AnswerArgs:
    number: int
    text: str
    add_faq: bool


def parse_answer(args: list[str]) -> AnswerArgs:
    expect(args, 1)
    words = list(args[1:])
    add_faq = bool(words) and words[-1].lower() in FAQ_FLAGS
    if add_faq:
        words.pop()
    text = " ".join(words).strip()
    if not text:
        raise CommandError("缺少回答内容。")
    return AnswerArgs(number(args[0], "问题编号"), text, add_faq)


async def run_answer(ctx: Ctx, args: AnswerArgs) -> str:
    assert ctx.staff is not None
    done = await answer_question(ctx, args.number, args.text, staff=ctx.staff, add_faq=args.add_faq)
    return done.summary()


async def run_questions(ctx: Ctx, _: None) -> str:
    questions = await ctx.repos.unanswered.open()
    if not questions:
        return "没有待回答的客户问题。"
    return await open_list(ctx, questions, newer_than=max(q.id for q in questions),
                           title=f"待回答的客户问题（共 {len(questions)} 个，新的在前）：")


ANSWER = Command("/answer", "advisor", "/answer <问题编号> <回答> [+faq]",
                 "回答小助手答不上来的客户问题（以小助手的口吻发给客户；+faq 同时存入知识库）",
                 parse_answer, run_answer,
                 order=95)
COMMANDS = (
    Command("/questions", "advisor", "/questions", "查看小助手答不上来、等待同事回答的客户问题", no_args,
            run_questions, order=94),
    ANSWER,
)
