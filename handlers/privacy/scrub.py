"""Rewriting values that mention an erased customer: pure functions over strings and JSON.

An erased customer is known by their external_userid (exact, everywhere), their name and remark
(in staff-facing texts: notices, command lines, the audit log) and the questions they asked
(quoted in the digest's top questions). A staff notice that names them is replaced whole (a
ticket card also carries their messages, cut to a length no needle would match); elsewhere a
mention is replaced by PLACEHOLDER, and a list entry that is them (a mass message's recipients,
a group's members) is dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

PLACEHOLDER = "[已删除]"
NOTICE_GONE = "（此消息涉及的客户已按要求删除，内容已清除）"
MIN_NAME = 2  # a one-character name would rewrite every text containing that character
MIN_TEXT = 4  # the same for a question: "好的" is everyone's
# The fields of a raw callback that say what happened without saying to whom; the digest's growth
# numbers read ChangeType and State of friend-added callbacks long after their payload is cleared.
KEPT_CALLBACK_FIELDS = ("MsgType", "Event", "ChangeType", "State")
_TRIM = " \t\r\n?？!！。.~～"  # as the digest's top questions (handlers/replies/digest.py)
# Numbers and handles a customer types (phone and order numbers, e-mail addresses): the digest's top
# keywords can show one on its own, so these are looked for alone too.
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+\-]{4,}[A-Za-z0-9]")


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({w for w in words if w}, key=lambda w: (-len(w), w)))


def handles(text: str) -> set[str]:
    """The phone numbers, order numbers and e-mail addresses in a text (runs of 6+ with a digit or @)."""
    return {m for m in _HANDLE.findall(text) if any(c.isdigit() or c == "@" for c in m)}


def text_variants(text: str) -> set[str]:
    """How a customer's question shows up in staff texts: as written, on one line, trimmed, cut."""
    flat = " ".join(text.split())
    trimmed = flat.strip(_TRIM)
    out = {text.strip(), flat, trimmed, trimmed[:29], flat[:59]}  # digest labels: 29 + "…"; ticket cards: 59 + "…"
    return {v for v in out if len(v) >= MIN_TEXT}


@dataclass(frozen=True, slots=True)
class Needles:
    """What identifies the erased customers and what they wrote."""

    external_userids: frozenset[str]
    names: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    placeholders: Mapping[str, str] = field(default_factory=dict)  # external_userid -> "customer:<id>"

    @classmethod
    def of(cls, customers: Iterable[tuple[int, str, str, str]], questions: Iterable[str] = (),
           messages: Iterable[str] = (), shared: Iterable[str] = ()) -> Needles:
        """From (id, external_userid, name, remark) per customer, the questions they asked (which
        staff texts quote whole) and everything they wrote (for the numbers and handles in it).
        A name or remark in `shared` (another customer's or a staff member's, "老客户") names
        nobody in particular and is left alone."""
        exts, names, placeholders = set(), set(), {}
        for cid, ext, name, remark in customers:
            exts.add(ext)
            placeholders[ext] = f"customer:{cid}"
            names |= {n.strip() for n in (name, remark) if len(n.strip()) >= MIN_NAME}
        names -= set(shared)
        words = {v for t in questions for v in text_variants(t)} | {h for t in messages for h in handles(t)}
        return cls(frozenset(exts), _longest_first(names), _longest_first(words - names - exts), placeholders)

    @property
    def identifiers(self) -> tuple[str, ...]:
        return _longest_first((*self.external_userids, *self.names))

    @property
    def everything(self) -> tuple[str, ...]:
        return _longest_first((*self.identifiers, *self.texts))


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def mentions(value: Any, words: Iterable[str]) -> bool:
    text = as_text(value)
    return any(w in text for w in words)


def scrub_text(value: str, words: Iterable[str]) -> str:
    for word in words:  # longest first, so a name inside a longer question goes with the question
        if word in value:
            value = value.replace(word, PLACEHOLDER)
    return value


def scrub_json(value: Any, needles: Needles, words: tuple[str, ...]) -> Any:
    """Entries that are the customer are dropped from lists; mentions in strings are replaced."""
    if isinstance(value, str):
        return scrub_text(value, words)
    if isinstance(value, list):
        return [scrub_json(v, needles, words) for v in value if not is_them(v, needles)]
    if isinstance(value, dict):
        return {scrub_text(str(k), words): scrub_json(v, needles, words) for k, v in value.items()}
    return value


def is_them(value: Any, needles: Needles) -> bool:
    """A list entry standing for an erased customer: their id, or a record keyed by it."""
    if isinstance(value, str):
        return value in needles.external_userids
    if isinstance(value, dict):
        return any(isinstance(v, str) and v in needles.external_userids for v in value.values())
    return False


def owns_event(payload: Any, external_userids: frozenset[str]) -> bool:
    """Is this raw callback or kf entry the customer's own (contact event, their kf chat)?"""
    if not isinstance(payload, dict):
        return False
    event = payload.get("event")
    ids = [payload.get("ExternalUserID"), payload.get("external_userid"),
           event.get("external_userid") if isinstance(event, dict) else None]
    return any(isinstance(i, str) and i in external_userids for i in ids)


def cleared_payload(source: str, payload: Any) -> dict[str, Any]:
    """What stays of a raw callback (never a kf entry) once its payload is cleared."""
    if source != "xml" or not isinstance(payload, dict):
        return {}
    return {k: payload[k] for k in KEPT_CALLBACK_FIELDS if isinstance(payload.get(k), str)}


def scrub_notice(payload: dict[str, Any], needles: Needles) -> dict[str, Any]:
    """A staff notice (app message, robot post) naming the customer loses its whole content;
    one only quoting their question loses the quote."""
    out = dict(payload)
    for kind in ("text", "markdown"):
        body = out.get(kind)
        if isinstance(body, dict) and isinstance(body.get("content"), str):
            content = body["content"]
            if mentions(content, needles.identifiers):
                content = NOTICE_GONE
            out[kind] = {**body, "content": scrub_text(content, needles.texts)}
    return out
