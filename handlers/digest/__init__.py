"""The managers' daily digest: metrics computed per local day with SQL aggregates, rendered for
WeCom markdown, the terminal and the web console."""

from handlers.digest.build import Digest, Line, build_digest, daily_series
from handlers.digest.metrics import Breakdown, Metric, Provider, Registry, Window
from handlers.digest.registry import default_registry
from handlers.digest.job import jobs

__all__ = ["Breakdown", "Digest", "Line", "Metric", "Provider", "Registry", "Window", "build_digest",
           "daily_series", "default_registry", "jobs"]
