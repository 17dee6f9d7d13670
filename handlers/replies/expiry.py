"""Whose expiry: "要是券过期了还能用不" asks about the coupon, not the product's shelf life.

过期 and 还能用 make the sentence model sure of the shelf-life entry, whatever expires. When the words just
before the expiry name another shop concept (券 → the discount, 积分 → membership: persona/matcher.py
CONCEPTS), the question is about that, so an entry that does not speak of it is no answer: the
knowledge base's entry about that concept answers instead, or nobody is sure (and the customer is not
told the shelf life of a cream when they asked about a coupon). "面霜过期了还能用吗" names no other
concept: still the shelf life.
"""

from __future__ import annotations

import re
from typing import Sequence

from persona.faq import FaqEntry, FaqMatch
from persona.matcher import concepts, entry_about

# The few characters before an expiry word: "要是券过期了", "积分会到期吗", "优惠券失效".
_EXPIRES = re.compile(r"([^，,。？?\s]{1,4})(过期|过了期|到期|失效)")
_SHELF = "keeping"  # the shelf-life concept of persona/matcher.py CONCEPTS


def expiring(text: str) -> str:
    """The shop concept whose expiry the text asks about, other than the product's shelf life; "" if none."""
    for m in _EXPIRES.finditer(text):
        if owner := sorted(concepts(m[1]) - {_SHELF}):
            return owner[0]
    return ""


def about_what_expires(entries: Sequence[FaqEntry], ranked: Sequence[FaqMatch], text: str,
                       match: FaqMatch) -> FaqMatch | None:
    """`match` when it speaks of what expires (or nothing else does), else the entry about that concept
    among `ranked`, else None."""
    owner = expiring(text)
    entry = match.entry
    if not owner or owner in concepts(" ".join(entry.questions + entry.keywords + (entry.answer,))):
        return match
    about = entry_about(entries, ranked, owner)
    return FaqMatch(about, match.confidence) if about is not None else None
