"""What the persona hears of a customer's text: the form every rule, keyword and the knowledge base read.

Customers write the same words in other shapes: in traditional characters ("請問多久發貨": traditional.py
gives "请问多久发货"), or spaced out character by character ("多 久 发 货", "谢 谢", a full-width space
too). `heard` gives the one form the readers match: simplified characters, and a run of single
characters each standing between spaces joined into one word ("多 久 發 貨" → "多久发货"). A space
between longer runs is left alone: it still separates clauses ("好的 谢谢" is two, "好 的 谢谢"
becomes "好的 谢谢"), toneless pinyin in characters ("fahuo duojiu a" → "发货多久啊": pinyin.py), and a
few homophone slips in the shop's words mended ("生产日七" → "生产日期").
Cheap (table lookups and a few regexes): it runs on the event loop.

Only matching reads it: the stored message, what staff see (tickets, the question queue, the model's
request) and what is echoed to the customer keep what they said (routes.py keeps both).
"""

from __future__ import annotations

import functools
import re

from persona.pinyin import hanzi
from persona.traditional import simplified

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
# Two or more single characters, each between spaces (or the message's ends, or punctuation).
_SPACED = re.compile(rf"(?<!\w){_HAN}(?:\s+{_HAN}(?!\w))+")
_SPACE = re.compile(r"\s+")
# Homophone slips of the input method in the shop's own words ("瓶底没找到生产日七啊"): the word meant.
# Only whole words no customer means as written.
_SLIPS = ((re.compile(r"生产日[七其齐]"), "生产日期"), (re.compile(r"保[值只质]其|保值期"), "保质期"),
          (re.compile(r"积份"), "积分"),  # "积份还有多少" (sandbox trial, 2026-12-05: the membership FAQ)
          # dev29: "怀运了能用吗" (read as the shelf life), "发啥快第" ("I don't know"); and their kin, each a word no
          # customer means as written
          (re.compile(r"怀运|坏孕"), "怀孕"), (re.compile(r"快第|筷递|块递"), "快递"),
          (re.compile(r"优惠卷"), "优惠券"),
          (re.compile(r"退活|推货"), "退货"), (re.compile(r"哺乳其"), "哺乳期"), (re.compile(r"防伪马"), "防伪码"))


def unspaced(text: str) -> str:
    """`text` with each run of spaced-out single characters written as one word."""
    return _SPACED.sub(lambda run: _SPACE.sub("", run.group()), text)


def slips_mended(text: str) -> str:
    """`text` with the input method's homophone slips in the shop's words mended ("生产日七" → "生产日期")."""
    for slip, meant in _SLIPS:
        text = slip.sub(meant, text)
    return text


# Memoised: a kf text is heard by each route's filter and reader (a dozen times per message) and
# the shop's configured keywords on every message.
@functools.lru_cache(maxsize=1024)
def heard(text: str) -> str:
    """The form of `text` the readers match (module docstring); idempotent, simplified unspaced
    text is unchanged."""
    return slips_mended(unspaced(simplified(hanzi(text))))
