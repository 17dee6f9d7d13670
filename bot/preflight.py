"""Pre-flight checks: what a feature asks WeCom about the corp's setup before anyone needs it.

A feature's checks (`Feature.preflight`) read from WeCom (e.g. who the servicers of the kf
account are) and return findings: things an operator should fix, or could not be checked.
`wanzi serve` runs them once at start-up and logs each finding as a warning; `wanzi config check`
runs them and prints them. A check never raises for an unreachable WeCom; it says so instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Mapping, Sequence

from bot.config import Config
from bot.wecom.client import WeComClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something about the corp's WeCom setup: `event` is the fixed log message, `text` the sentence
    `wanzi config check` prints, `facts` the log fields (ids, never customer data)."""

    event: str
    text: str
    facts: Mapping[str, object] = field(default_factory=dict)


Preflight = Callable[[Config, WeComClient], Awaitable[list[Finding]]]


async def run_checks(checks: Sequence[Preflight], config: Config, client: WeComClient) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        findings += await check(config, client)
    return findings


async def log_findings(checks: Sequence[Preflight], config: Config, client: WeComClient) -> None:
    """At start-up: every finding as a warning; a check that crashes is logged, never fatal."""
    try:
        findings = await run_checks(checks, config, client)
    except Exception:  # a pre-flight check must never stop the bot from serving
        log.exception("pre-flight check failed")
        return
    for finding in findings:
        log.warning(finding.event, extra=dict(finding.facts))
