"""Persona model and renderer. Rendering is pure: time, channel and history arrive as facts."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field
from typing import Mapping

from bot.errors import WanziError

TIME_SLOTS = ("morning", "afternoon", "evening", "night")


class PersonaError(WanziError):
    """A persona file problem; names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


def time_slot(hour: int) -> str:
    if 5 <= hour < 11:
        return "morning"
    if 11 <= hour < 18:
        return "afternoon"
    if 18 <= hour < 23:
        return "evening"
    return "night"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    brand: str
    intro: str
    address: str = "亲"  # how the persona addresses customers
    signoff: str = ""
    emoji: bool = True


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    variants: tuple[str, ...]
    by_slot: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


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
    settings: Mapping[str, object] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return key in self.templates

    def render(self, key: str, *, seed: str = "", last_variant: int | None = None, hour: int | None = None,
               **facts: object) -> Rendered:
        """The text for a template key; never the same variant as `last_variant` when there is a choice."""
        template = self.templates.get(key)
        if template is None:
            raise PersonaError(self.source, key, "unknown template")
        slot = time_slot(hour) if hour is not None else None
        options = (template.by_slot.get(slot) if slot else None) or template.variants
        index = int(hashlib.sha256(f"{seed}|{key}".encode()).hexdigest(), 16) % len(options)
        if last_variant is not None and len(options) > 1 and index == last_variant:
            index = (index + 1) % len(options)
        values = {"persona": self.profile.name, "brand": self.profile.brand, "address": self.profile.address,
                  "signoff": self.profile.signoff, **{k: "" if v is None else v for k, v in facts.items()}}
        try:
            text = options[index].format_map(values)
        except KeyError as exc:
            raise PersonaError(self.source, key, f"missing fact {exc.args[0]!r}") from None
        return Rendered(key=key, text=text.strip(), variant=index)
