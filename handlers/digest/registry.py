"""The digest's sections come from the features (`Feature.digest`), shown in their `order`."""

from __future__ import annotations

from typing import Sequence

from bot.digest_metrics import Registry
from bot.feature import Feature


def digest_registry(features: Sequence[Feature]) -> Registry:
    return Registry(tuple(sorted((p for f in features for p in f.digest), key=lambda p: p.order)))


def default_registry() -> Registry:
    """The shipped features' digest (for the CLI, benchmarks and tests; handlers use ctx.services.digest)."""
    from handlers import FEATURES  # here, not at the top: handlers/__init__ imports this feature

    return digest_registry(FEATURES)
