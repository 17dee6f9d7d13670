"""The knowledge model for suggestions the rules cannot see: "包装太难撕了，换个设计吧" proposes a change with none
of the rule words (detector.py). A message is compared, through the shared sentence model
(persona/embed.py; an ExampleModel of persona/examples.py, as the feelings are), with suggestion
exemplars and with exemplars of what it must not be confused with (questions, service matters, small
talk, praise, advice-seeking, check-ins), both in exemplars.toml. Its score is the mean cosine of
its K nearest suggestion exemplars minus that of its K nearest others; it is a suggestion when the
score reaches MARGIN.

K and MARGIN were chosen on tests/insights_eval/dev.csv only; final.csv is the held-out figure
(README, "KOCs and suggestion-givers"). The message is embedded as a query, exactly as the
knowledge base embeds it (persona/matcher.py), so the model's memo serves the second of the two:
a kf text costs one embedding, not two.
"""

from __future__ import annotations

import asyncio
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from persona.examples import ExampleModel
from persona.model import PersonaError

if TYPE_CHECKING:
    from persona.embed import Embedder

EXEMPLARS = Path(__file__).with_name("exemplars.toml")
K = 3  # nearest exemplars per side: one odd neighbour does not decide
MARGIN = 0.005  # tuned on dev.csv: lower, precision falls faster than recall rises


@dataclass(frozen=True, slots=True)
class Exemplars:
    suggestion: tuple[str, ...]
    other: tuple[str, ...]


def load_exemplars(path: Path = EXEMPLARS) -> Exemplars:
    """The two lists of exemplars.toml; each needs at least K texts."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lists = []
    for key in ("suggestion", "other"):
        texts = data.get(key)
        if not isinstance(texts, list) or len(texts) < K or not all(isinstance(t, str) and t.strip() for t in texts):
            raise PersonaError(str(path), key, f"must be a list of at least {K} texts")
        lists.append(tuple(t.strip() for t in texts))
    return Exemplars(*lists)


class SuggestionModel:
    """The exemplars as an ExampleModel (persona/examples.py), and the suggestion verdict on top."""

    def __init__(self, exemplars: Exemplars, *, margin: float = MARGIN, embedder: Embedder | None = None) -> None:
        self.exemplars = exemplars
        self.margin = margin
        self.examples = ExampleModel("suggestions", {"suggestion": exemplars.suggestion, "other": exemplars.other},
                                     top=K, embedder=embedder)

    async def ready(self) -> None:
        await self.examples.ready()

    def build(self) -> None:
        """Blocking: load the model (once per process) and embed the exemplars."""
        self.examples.build()

    def score(self, text: str) -> float:
        """Blocking: how much nearer the text is to suggestions than to the rest. Call from a thread,
        after `ready()` or `build()`."""
        near = self.examples.nearness(text)
        return near["suggestion"] - near["other"]

    async def proposes(self, text: str) -> bool:
        """True when the text reads as a suggestion; embeds in a thread. Until the exemplars are
        embedded (start-up's warm-up does it) the answer is False and the build starts in the
        background: a handler's transaction (SQLite's one write lock) never waits for 160 embeddings."""
        if not self.examples.prepared:
            self.examples.start_building()
            return False
        return await asyncio.to_thread(self.score, text) >= self.margin
