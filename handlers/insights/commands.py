"""Staff commands /koc [N] | /koc tag [N] and /suggestions [N]."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from handlers.insights.config import KocConfig
from handlers.insights.koc import care_text, koc_list_text, koc_scores, tag_top_kocs
from handlers.insights.suggestions import recent_suggestions_text
from handlers.services import Ctx
from handlers.staff.parsing import actor, expect, suggest

MAX_LIST = 50
SUGGESTIONS_DEFAULT = 10


def count(word: str, what: str = "人数") -> int:
    """How many to list: 1..50 (customers for /koc, suggestions for /suggestions)."""
    if not word.isdigit() or not 1 <= int(word) <= MAX_LIST:
        raise CommandError(f"「{word}」应为 1 到 {MAX_LIST} 之间的{what}。")
    return int(word)


@dataclass(frozen=True, slots=True)
class KocArgs:
    tag: bool = False
    n: int | None = None  # None: [koc] top


def parse_koc(args: list[str]) -> KocArgs:
    expect(args, 0, 2)
    if not args:
        return KocArgs()
    if args[0].lower() == "tag":
        return KocArgs(True, count(args[1]) if len(args) == 2 else None)
    if len(args) == 1 and args[0].isdigit():
        return KocArgs(False, count(args[0]))
    hint = "你是不是想用 /koc tag？" if suggest(args[0].lower(), ["tag"]) else ""
    raise CommandError(f"「{args[0]}」不是人数，也不是子指令 tag。{hint}")


async def run_koc(ctx: Ctx, args: KocArgs) -> str:
    cfg = ctx.settings.of(KocConfig)
    n = args.n or cfg.top
    if args.tag:
        return care_text(cfg, await tag_top_kocs(ctx, n, actor=actor(ctx)))
    return koc_list_text(cfg, await koc_scores(ctx, limit=n))


def parse_suggestions(args: list[str]) -> int:
    expect(args, 0, 1)
    return count(args[0], "条数") if args else SUGGESTIONS_DEFAULT


async def run_suggestions(ctx: Ctx, n: int) -> str:
    return await recent_suggestions_text(ctx, n)


KOC = Command("/koc", "operator", "/koc [N] · /koc tag [N]",
              "KOC 排行及得分构成；tag：给前 N 位打标签并交专属顾问 1:1 跟进", parse_koc, run_koc, order=175)
SUGGESTIONS = Command("/suggestions", "operator", "/suggestions [N]", "最近 N 条客户建议（默认 10）",
                      parse_suggestions, run_suggestions, order=176)
COMMANDS = (KOC, SUGGESTIONS)
