"""Customer-made text inside staff messages, made inert.

WeCom renders part of what an app message carries (outbound.md §1): markdown has headings,
`**bold**`, `[label](url)` links, inline code, `>` quotes and `<font color>`; a text message
turns `<a href>` into a link; the group robot's markdown turns `<@userid>` into a mention. A
customer (or a WeChat nickname) must not be able to put a disguised link, bold "官方" words or
a coloured warning into an advisor's ticket card. `plain(text)` keeps the words and drops the
markup: links become "label（url）" so the target is in plain sight, tags go, markdown signs
become their full-width look-alikes, and everything is one line (no heading or quote can
start inside it).
"""

from __future__ import annotations

import re

_HTML_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]*)[^>]*>(.*?)</a\s*>""", re.IGNORECASE | re.DOTALL)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*([^)\s]*)[^)]*\)")
_TAG = re.compile(r"</?\s*[A-Za-z][^<>]*>")  # <a …>, </a>, <font color=…>, <b>, <br/> …
_EMPHASIS = re.compile(r"\*{2,}|_{2,}|~{2,}")
# Control characters (a terminal escape in `wanzi digest`) and bidi overrides that reorder what
# the reader sees; tabs and newlines become spaces below.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_LOOKALIKES = str.maketrans({"*": "＊", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞"})


def _link(label: str, url: str) -> str:
    label, url = label.strip(), url.strip()
    if not url or url == label:
        return label or url
    return f"{label}（{url}）" if label else url


def plain(text: str, limit: int | None = None) -> str:
    """Customer text as inert words on one line for WeCom markdown or text, cut to `limit` characters."""
    text = _INVISIBLE.sub("", text)
    text = _HTML_LINK.sub(lambda m: _link(_TAG.sub("", m.group(2)), m.group(1)), text)
    text = _MD_LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = " ".join(text.translate(_LOOKALIKES).split())
    text = re.sub(r"^#+", lambda m: "＃" * len(m.group(0)), text)  # "# x" at a line start is a heading
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
