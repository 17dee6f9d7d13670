"""Headless Chromium from the system's packages (never a Playwright browser download).

`make test` installs Debian's `chromium` when it is missing; if it still cannot be found the
browser tests are skipped with that reason, visible under `pytest -rs`. Set WANZI_SCREENSHOTS
to a directory (`make screenshots` uses docs/) to save the README's screenshots on the way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    explicit = os.environ.get("WANZI_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


async def open_browser(profile: Path) -> AsyncIterator[Any]:
    path = chromium_path()
    if path is None:
        reason = "no chromium found (apt-get install chromium; `make test` does it when run as root)"
        if os.environ.get("WANZI_REQUIRE_BROWSER"):  # CI: a missing browser is a failed install, not a skip
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(profile), executable_path=path, headless=True, args=ARGS, locale="zh-CN",
            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    target = os.environ.get("WANZI_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=full_page)
