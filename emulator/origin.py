"""Same-origin checks for the emulator's own state-changing pages (console API, member picker).

A browser labels every POST with Origin (and usually Referer and Sec-Fetch-Site); each label
present must name this host. A request with none of them comes from a script, not a browser,
and passes unless `EmulatorConfig.console_origin_required` is set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web


def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower()


def same_origin(request: web.Request) -> bool | None:
    """True when every browser label says same-origin, False when one does not, None when unlabelled."""
    host = request.host.lower()
    verdicts: list[bool] = []
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        verdicts.append(site == "same-origin")
    origin = request.headers.get("Origin")
    if origin is not None:
        verdicts.append(_netloc(origin) == host)  # "null" (sandboxed/opaque) origins never match
    referer = request.headers.get("Referer")
    if referer is not None:
        verdicts.append(_netloc(referer) == host)
    if not verdicts:
        return None
    return all(verdicts)


def reject_cross_origin(request: web.Request, *, required: bool, json_body: bool) -> web.Response | None:
    """403 for a cross-origin (or, when `required`, unlabelled) request; 415 when a JSON body is
    expected and the Content-Type is not application/json. None = go ahead."""
    verdict = same_origin(request)
    if verdict is False or (verdict is None and required):
        return web.json_response({"ok": False, "error": "cross-origin request refused"}, status=403)
    if json_body and request.content_type != "application/json":
        return web.json_response({"ok": False, "error": "Content-Type must be application/json"}, status=415)
    return None
