"""A tiny HTML helper: every value is escaped unless it is already `Safe` markup.

Pages are string templates with `$name` placeholders (string.Template, so CSS braces need no
escaping). Escaping by default is what keeps a customer's nickname from becoming a script.
"""

from __future__ import annotations

import html
import string
from datetime import datetime
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

STATIC = Path(__file__).parent / "static"  # the console stylesheet, also inlined by `wanzi digest --html`


class Safe(str):
    """Markup that is already escaped (or built from escaped parts)."""


def esc(value: object) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: object) -> Safe:
    return Safe(string.Template(template).substitute({k: esc(v) for k, v in values.items()}))


def join(parts: Iterable[object], sep: str = "") -> Safe:
    return Safe(sep.join(esc(p) for p in parts))


def url(path: str, **query: object) -> str:
    q = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urlencode(q) if q else "")


def local_time(value: datetime | None, tz: str, fmt: str = "%m-%d %H:%M") -> str:
    return value.astimezone(ZoneInfo(tz)).strftime(fmt) if value else ""


def table(headers: Iterable[str], rows: Iterable[Iterable[object]], *, empty: str = "没有数据",
          cls: str = "") -> Safe:
    head = join(render("<th>$h</th>", h=h) for h in headers)
    body = [render("<tr>$cells</tr>", cells=join(render("<td>$c</td>", c=c) for c in row)) for row in rows]
    if not body:
        return render('<p class="empty">$e</p>', e=empty)
    return render('<table class="$cls"><thead><tr>$head</tr></thead><tbody>$body</tbody></table>',
                  cls=cls, head=head, body=join(body))


def page(title: str, body: Safe, *, active: str = "", user: str = "", csrf: str = "",
         nav: Iterable[tuple[str, str, str]] = ()) -> Safe:
    """The console's frame: navigation, who is logged in, and a logout form."""
    links = join(render('<a href="$href" class="$cls">$label</a>', href=href, label=label,
                        cls="active" if key == active else "") for key, href, label in nav)
    who = Safe("")
    if user:
        who = render('<form method="post" action="/console/logout" class="logout">'
                     '<input type="hidden" name="csrf" value="$csrf"><span>$user</span>'
                     '<button type="submit">退出</button></form>', csrf=csrf, user=user)
    return render(LAYOUT, title=title, links=links, who=who, body=body)


LAYOUT = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · 丸子控制台</title>
<link rel="stylesheet" href="/console/static/console.css">
</head>
<body>
<header class="top"><span class="brand">丸子控制台</span><nav>$links</nav>$who</header>
<main>
$body
</main>
</body>
</html>
"""
