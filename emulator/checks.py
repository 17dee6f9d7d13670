"""Field checks shared by several APIs: byte lengths, required fields, attachment lists."""

from __future__ import annotations

from typing import Any

from emulator.envelope import ApiReject

ATTACHMENT_TYPES = ("image", "link", "miniprogram", "video", "file")
MAX_ATTACHMENTS = 9


def nbytes(text: str) -> int:
    """WeCom limits are in UTF-8 bytes: one Chinese character counts 3."""
    return len(text.encode("utf-8"))


def truncate_bytes(text: str, limit: int) -> str:
    """Cut to at most `limit` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def obj(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested JSON object, `{}` when absent; 40058 when it is not an object."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiReject(40058)
    return value


def text_of(body: dict[str, Any], key: str = "text") -> str:
    value = obj(body, key).get("content", "")
    if not isinstance(value, str):
        raise ApiReject(40058)
    return value


def string(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiReject(40058)
    return value


def integer(value: Any, default: int = 0) -> int:
    """An integer field (absent → default); 40058 for anything else, never a crash."""
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiReject(40058)
    return value


def str_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiReject(40058)
    return value


def max_bytes(field: str, text: str, limit: int) -> None:
    """40058 with the observed detail style "<field> exceed max length <n>."."""
    if nbytes(text) > limit:
        raise ApiReject(40058, f"{field} exceed max length {limit}.")


def check_attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `attachments` of send_welcome_msg / add_msg_template (customer-contact.md §7)."""
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list):
        raise ApiReject(40058)
    if len(attachments) > MAX_ATTACHMENTS:
        raise ApiReject(40058, f"attachments exceed max count {MAX_ATTACHMENTS}.")  # (unconfirmed code)
    for item in attachments:
        msgtype = item.get("msgtype") if isinstance(item, dict) else None
        if msgtype not in ATTACHMENT_TYPES or not isinstance(item.get(msgtype), dict):
            raise ApiReject(41065)
        inner = item[msgtype]
        if msgtype == "image" and not (inner.get("media_id") or inner.get("pic_url")):
            raise ApiReject(40058)
        if msgtype == "link":
            if not inner.get("title") or not inner.get("url"):
                raise ApiReject(40058)
            max_bytes("link.title", str(inner.get("title", "")), 128)
            max_bytes("link.desc", str(inner.get("desc", "")), 512)
        if msgtype == "miniprogram":
            if not all(inner.get(k) for k in ("title", "pic_media_id", "appid", "page")):
                raise ApiReject(40058)
            max_bytes("miniprogram.title", str(inner["title"]), 64)
        if msgtype in ("video", "file") and not inner.get("media_id"):
            raise ApiReject(40058)
    return attachments
