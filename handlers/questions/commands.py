"""/answer <问题编号> <回答> [+faq] and /questions: staff keep the persona's promises from the app."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from handlers.questions.answer import answer_question, close_question
from handlers.questions.queue import open_list
from handlers.services import Ctx
from handlers.staff.parsing import expect, number, subcommand

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


@dataclass(frozen=True, slots=True)
class QuestionsArgs:
    close: int | None = None  # the number of a question to close without an answer
    note: str = ""


def parse_questions(args: list[str]) -> QuestionsArgs:
    if not args:
        return QuestionsArgs()
    subcommand(args, ("close",))
    if len(args) < 2:  # as /redeem done says it
        raise CommandError("请写上问题编号，例如 /questions close 12（/questions 查看待回答的编号）。")
    return QuestionsArgs(number(args[1], "问题编号"), " ".join(args[2:]))


async def run_questions(ctx: Ctx, args: QuestionsArgs) -> str:
    if args.close is not None:
        assert ctx.staff is not None
        closed = await close_question(ctx, args.close, staff=ctx.staff, note=args.note)
        return f"问题 #{closed.id} 已关闭（不回答，客户不会收到消息）。"
    questions = await ctx.repos.unanswered.open()
    if not questions:
        return "没有待回答的客户问题。"
    return await open_list(ctx, questions, newer_than=max(q.id for q in questions),
                           title=f"待回答的客户问题（共 {len(questions)} 个，新的在前）：", listing=True)


# Summaries stay short: the admin's /help must fit one app message (2048 bytes) with every command.
ANSWER = Command("/answer", "advisor", "/answer <编号> <回答> [+faq]", "答复待答问题，+faq 存入知识库", parse_answer,
                 run_answer, order=95)
COMMANDS = (
    Command("/questions", "advisor", "/questions [close <编号>]", "待答问题；close 关闭", parse_questions,
            run_questions, order=94),
    ANSWER,
)
