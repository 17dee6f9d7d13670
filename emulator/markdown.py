"""WeCom's markdown subset, parsed into plain data the console renders with textContent.

The subset (doc 90236 for app messages; the robot's `markdown` is the same, doc 91770):
headings `#`–`######` (a space after the hashes), `**bold**`, `[text](url)`, `` `inline code` ``,
`> quote` lines, `<font color="info|comment|warning">…</font>`. Everything else, HTML tags
included, stays literal text: content is untrusted and never becomes markup.
"""

from __future__ import annotations

import re
from typing import Any

COLORS = ("info", "comment", "warning")  # green, grey, orange-red: the only three (doc 90236)
HEADING = re.compile(r"(#{1,6}) (.*)")
INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"
    r"|`(?P<code>[^`\n]+)`"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<href>[^)\s]+)\)"
    r"""|<font\s+color\s*=\s*(?P<q>["'])(?P<color>[^"'<>]*)(?P=q)\s*>(?P<colored>.*?)</font>""",
    re.DOTALL)

Span = dict[str, Any]  # {"text": str, "bold"?: True, "code"?: True, "color"?: str, "href"?: str}


def spans(text: str, style: Span | None = None) -> list[Span]:
    """Inline markup → spans; styles nest (bold inside a colour and the reverse)."""
    base = dict(style or {})
    out: list[Span] = []
    pos = 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            out.append({**base, "text": text[pos:match.start()]})
        if match.group("bold") is not None:
            out.extend(spans(match.group("bold"), {**base, "bold": True}))
        elif match.group("code") is not None:
            out.append({**base, "text": match.group("code"), "code": True})
        elif match.group("label") is not None:
            href = match.group("href")
            if href.lower().startswith(("http://", "https://")):
                out.append({**base, "text": match.group("label"), "href": href})
            else:  # javascript:, data: … stay literal
                out.append({**base, "text": match.group(0)})
        else:
            color = match.group("color")
            inner = {**base, "color": color} if color in COLORS else base
            out.extend(spans(match.group("colored"), inner))
        pos = match.end()
    if pos < len(text):
        out.append({**base, "text": text[pos:]})
    return [s for s in out if s["text"]]


def parse(content: str) -> list[dict[str, Any]]:
    """Blocks, one per line: {"kind": "h", "level": 1-6 | "quote" | "p", "spans": [...]}."""
    blocks: list[dict[str, Any]] = []
    for line in content.split("\n"):
        heading = HEADING.match(line)
        if heading:
            blocks.append({"kind": "h", "level": len(heading.group(1)), "spans": spans(heading.group(2))})
        elif line.startswith(">"):
            blocks.append({"kind": "quote", "spans": spans(line[1:].lstrip())})
        else:
            blocks.append({"kind": "p", "spans": spans(line)})
    return blocks
