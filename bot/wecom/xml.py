"""Untrusted XML in, flat dicts out; no DTDs, no entities (defusedxml)."""

from __future__ import annotations

from typing import cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import MalformedCallback


def parse_xml(data: bytes | str) -> Element:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedCallback(f"unreadable XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise MalformedCallback(f"root element is <{root.tag[:40]}>, expected <xml>")
    return cast(Element, root)


def xml_fields(root: Element) -> dict[str, str | list[str]]:
    """Children as {tag: text}; an element with <Item> children becomes a list of their texts."""
    out: dict[str, str | list[str]] = {}
    for child in root:
        items = child.findall("Item")
        if items:
            out[child.tag] = [(i.text or "").strip() for i in items]
        else:
            out[child.tag] = (child.text or "").strip()
    return out


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: dict[str, object]) -> str:
    """One-line WeCom-style XML: strings in CDATA, ints bare, lists as <Item> children."""
    parts = ["<xml>"]
    for tag, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            parts.append(f"<{tag}>{value}</{tag}>")
        elif isinstance(value, (list, tuple)):
            items = "".join(f"<Item>{_cdata(str(v))}</Item>" for v in value)
            parts.append(f"<{tag}>{items}</{tag}>")
        else:
            parts.append(f"<{tag}>{_cdata(str(value))}</{tag}>")
    parts.append("</xml>")
    return "".join(parts)
