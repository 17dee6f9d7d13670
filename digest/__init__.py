"""The managers' daily digest: metrics computed per local day with SQL aggregates, rendered for
WeCom markdown, the terminal and the web console."""

from digest.build import Digest, Line, build_digest, daily_series
from digest.metrics import Breakdown, Metric, Provider, Registry, Window
from digest.registry import default_registry

__all__ = ["Breakdown", "Digest", "Line", "Metric", "Provider", "Registry", "Window", "build_digest",
           "daily_series", "default_registry"]
