"""Whose expiry: "要是券过期了还能用不" asks about the coupon, not the product's shelf life.

过期 and 还能用 make the sentence model sure of the shelf-life entry, whatever expires. When the words just
before the expiry name another shop concept (券 → the discount, 积分 → membership: persona/matcher.py
CONCEPTS), the question is about that, so an entry that does not speak of it is no answer: the
knowledge base's entry about that concept answers instead when it tells of expiry too ("有效期 14 天"), or
nobody is sure (and the customer is not told the shelf life of a cream when they asked about a coupon, nor
how points are earned when they asked whether points lapse). "面霜过期了还能用吗" names no other
concept: still the shelf life.
"""

from __future__ import annotations

import re
from typing import Sequence

from persona.faq import FaqEntry, FaqMatch
from persona.matcher import concepts, entry_about

# The few characters before an expiry word, past a modal word: "要是券过期了", "积分会到期吗", "优惠券失效",
# "我积分会不会过期".
_EXPIRES = re.compile(r"([^，,。？?\s]{1,4}?)(?:会不会|是不是|会|快要?|要|已经|都|也)*(过期|过了期|到期|失效)")
_SHELF = "keeping"  # the shelf-life concept of persona/matcher.py CONCEPTS
# An entry that tells when something runs out ("有效期 14 天"); the membership entry, which names 积分 but not
# when points lapse, does not answer "积分会过期吗".
_TELLS_EXPIRY = re.compile(r"过期|到期|失效|有效期|清零")


def expiring(text: str) -> str:
    """The shop concept whose expiry the text asks about, other than the product's shelf life; "" if none."""
    for m in _EXPIRES.finditer(text):
        if owner := sorted(concepts(m[1]) - {_SHELF}):
            return owner[0]
    return ""


def about_what_expires(entries: Sequence[FaqEntry], ranked: Sequence[FaqMatch], text: str,
                       match: FaqMatch) -> FaqMatch | None:
    """`match` when it speaks of what expires (or nothing else does), else the entry about that concept
    among `ranked` when it tells of expiry, else None."""
    owner = expiring(text)
    entry = match.entry
    if not owner or owner in concepts(" ".join(entry.questions + entry.keywords + (entry.answer,))):
        return match
    about = entry_about(entries, ranked, owner)
    if about is None or not _TELLS_EXPIRY.search(" ".join(about.questions + (about.answer,))):
        return None
    return FaqMatch(about, match.confidence)
