"""Checking what the model wrote before a customer sees it.

A model answer is sent only if it is a short, plain text whose facts all come from the grounding
(knowledge-base entries and campaign facts) or the customer's own words: no link, phone number,
price or other number, promise or medical claim that is not there. Anything else is rejected with a
reason (a metric label) and the embedded path answers instead. Reasoning models' <think> blocks
are dropped; an answer cut off at max_tokens is trimmed to its last full sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handlers.replies.llm.prompt import NO_ANSWER

MAX_CHARS = 300  # the prompt asks for 150; a kf text holds 2048 bytes, the template adds a few words
MAX_BYTES = 1800

_THINK = re.compile(r"<think>.*?(</think>|$)", re.S)
_SENTENCE_END = re.compile(r"[。！？!?～~…）)」』]")
_LINK = re.compile(r"https?://|www\.|[a-z0-9-]+\.(com|cn|net|org|io|top|xyz|shop|me|cc|vip|link|ly)\b", re.I)
_CONTACT = re.compile(r"微信号|加微信|加我微信|vx|v信|QQ|qq号|公众号搜|扫码|二维码", re.I)
_PHONE = re.compile(r"\+?\d[\d\s-]{5,}\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # 48, 2.5, 1,299 (a range 2-4 is two numbers)
_CN_AMOUNT = re.compile(r"[零一二两三四五六七八九十百千万]+(?:元|块|折|个?工作日|个?小时|分钟|周内)"
                        r"|[二两三四五六七八九十]+天")
PROMISES = ("保证", "承诺", "一定会", "肯定会", "包退", "包换", "包邮", "赔偿", "赔付", "补偿", "退款", "退钱", "补发",
            "免费送", "送你", "赠送", "返现", "马上发货", "立即发货", "今天发货", "当天发货", "明天到", "次日达")
MEDICAL = ("治疗", "治愈", "根治", "疗效", "处方", "诊断", "医治", "消炎", "无副作用", "没有副作用", "不会过敏",
           "不过敏", "药到病除", "孕妇可以用", "孕妇也能用")
_LEAKS = ("【知识库】", "【活动信息】", "必须遵守")


@dataclass(frozen=True, slots=True)
class Verdict:
    text: str  # the answer to send ("" when rejected)
    reason: str  # "" when accepted, else why not: empty, garbage, too_long, link, phone, number, promise, ...


def _ok(text: str) -> Verdict:
    return Verdict(text, "")


def _no(reason: str) -> Verdict:
    return Verdict("", reason)


def _plain(text: str) -> bool:
    """Readable chat text: no control characters or mojibake, mostly CJK, Latin, digits and punctuation."""
    if "\ufffd" in text or any(unicodedata.category(c) in ("Cc", "Co", "Cs") and c not in "\n\t" for c in text):
        return False
    usual = sum(1 for c in text if c.isalnum() or c.isspace() or unicodedata.category(c)[0] in "PSZ")
    return usual >= 0.9 * len(text)


def _trim(text: str, limit: int) -> str:
    """The text up to its last full sentence within `limit` characters ("" if that is less than half)."""
    head = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    cut = head[:ends[-1]] if ends else ""
    return cut if len(cut) >= min(limit, len(text)) // 2 else ""


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _phones(text: str) -> set[str]:
    return {digits for m in _PHONE.finditer(text) if len(digits := re.sub(r"\D", "", m.group(0))) >= 7}


def check(raw: str, *, allowed: str, truncated: bool = False) -> Verdict:
    """The answer to send, or the reason it must not be sent. `allowed`: grounding and customer texts."""
    text = _THINK.sub("", raw).replace("**", "").strip()
    if not text:
        return _no("empty")
    if NO_ANSWER in text or text.strip("[]【】 。.") == NO_ANSWER.strip("[]"):
        return _no("no_answer")
    if not _plain(text) or "```" in text or any(leak in text for leak in _LEAKS):
        return _no("garbage")
    if truncated or len(text) > MAX_CHARS or len(text.encode()) > MAX_BYTES:
        text = _trim(text, MAX_CHARS)
        if not text or len(text.encode()) > MAX_BYTES:
            return _no("too_long")
    numbers = _numbers(allowed)
    if _LINK.search(text) and not all(m.group(0).lower() in allowed.lower() for m in _LINK.finditer(text)):
        return _no("link")
    if _CONTACT.search(text) and not all(m.group(0) in allowed for m in _CONTACT.finditer(text)):
        return _no("link")
    if not _phones(text) <= _phones(allowed) | numbers:
        return _no("phone")
    if not _numbers(text) <= numbers:
        return _no("number")
    if any(m.group(0) not in allowed for m in _CN_AMOUNT.finditer(text)):
        return _no("number")
    if any(word in text and word not in allowed for word in PROMISES):
        return _no("promise")
    if any(word in text and word not in allowed for word in MEDICAL):
        return _no("medical")
    return _ok(text)
