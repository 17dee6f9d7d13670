"""The features' services, built once per app (handlers/wiring.py) and reached by every handler as
`ctx.services`, typed: `Ctx = Context[Services]`. The knowledge base, the tagging rules, the push
gate, the staff command table, the digest's sections, the suggestion and the reactions models, what is on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, cast

from aiohttp import web

from bot.appkeys import CONTEXTS
from bot.commands import Command
from bot.context import Context
from bot.digest_metrics import Registry
from bot.feature import WhatsOn

if TYPE_CHECKING:  # the services' own modules import Ctx from here
    from handlers.antispam.gate import PushGate
    from handlers.insights.model import SuggestionModel
    from handlers.replies.knowledge import KnowledgeBase
    from persona.examples import ExampleModel
    from persona.rules import RuleBook
    from persona.segment import Segmenter


@dataclass(frozen=True, slots=True)
class Services:
    knowledge: KnowledgeBase  # the holder: swaps in a rebuilt index when the knowledge base changes
    rules: RuleBook
    push_gate: PushGate
    segmenter: Segmenter
    commands: Mapping[str, Command]  # by name, in /help order
    digest: Registry
    suggestions: SuggestionModel | None = None  # None: `[suggestions] model = false`, the rules alone decide
    reactions: ExampleModel[str | None] | None = None  # adverse reactions by meaning (escalation/reactions.py)
    whats_on: tuple[WhatsOn, ...] = ()  # the features' lines for "最近有什么活动吗" (Feature.whats_on)


Ctx = Context[Services]


def services_of(request: web.Request) -> Services:
    """The services of the app serving a console page."""
    return cast(Services, request.config_dict[CONTEXTS].services)
