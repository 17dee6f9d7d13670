"""Every metric of the daily digest in one list, in display order.

A new source is a compute function (see digest/metrics.py) in a `Provider` listed here; a
metric whose table does not exist yet is declared with `pending=` and shows as "—". The
markdown, the terminal, the console and the charts pick a provider up with no other change.
Keys are stable: the console charts and `/digest` refer to them.
"""

from __future__ import annotations

from handlers.digest.community import CAMPAIGNS, VALUE
from handlers.digest.contacts import GROWTH, RETENTION
from handlers.digest.conversations import CONVERSATIONS, KEYWORD_PROVIDER
from handlers.digest.escalations import ESCALATIONS
from handlers.digest.metrics import Registry
from handlers.digest.outreach import OUTREACH, TAGS
from handlers.digest.persona_ops import STAGES, SUPPRESSED_PROVIDER, UNANSWERED_PROVIDER


def default_registry() -> Registry:
    """The shipped digest."""
    return Registry((GROWTH, CONVERSATIONS, CAMPAIGNS, KEYWORD_PROVIDER, RETENTION, TAGS, STAGES, VALUE,
                     UNANSWERED_PROVIDER, ESCALATIONS, OUTREACH, SUPPRESSED_PROVIDER))
