"""The callback endpoint's one-pass XML reader reads every body as the tree path (parse_xml + xml_fields) does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import MalformedCallback
from bot.wecom.xml import parse_xml, read_fields, xml_fields

BODIES = [
    b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt> abc </Encrypt><AgentID>1</AgentID></xml>",
    "<xml><Content>下单后多久发货</Content></xml>",
    b"<xml><Tags><Item>a</Item><Other>z</Other><Item> b </Item></Tags></xml>",
    b"<xml><L>before<Item>a<Sub>q</Sub>tail</Item>between<Item/></L></xml>",
    b"<xml><A>foo<!--c-->bar<B>in</B>after</A><A>second wins</A><C/></xml>",
    b"<xml><A>&amp;&lt;&#20013;</A></xml>",
]
HOSTILE = [
    b'<!DOCTYPE xml [<!ENTITY a "aaaaaaaa">]><xml><A>&a;</A></xml>',
    b'<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>',
    b"<xml><A>&undefined;</A></xml>",
    b"<root><A>1</A></root>",
    b"<xml><A>1</A></xml><xml/>",
    b"",
]


@pytest.mark.parametrize("body", BODIES)
def test_fields_read_in_one_pass_equal_the_tree_path(body: bytes | str) -> None:
    assert read_fields(body) == xml_fields(parse_xml(body))


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_or_broken_xml_is_refused_with_the_tree_path_reason(body: bytes) -> None:
    with pytest.raises(MalformedCallback) as tree:
        parse_xml(body)
    with pytest.raises(MalformedCallback) as flat:
        read_fields(body)
    assert str(flat.value) == str(tree.value)


# Bodies shaped as WeCom writes them (fields of CDATA or plain text, whitespace between), most of them well
# formed, the others with one flaw: a character expat refuses, CR (which XML reads as LF), "]]>", "&" or "<"
# where plain text cannot hold them, a name XML or the reader treats apart, a mismatched or foreign root.
_SAFE = st.characters(codec="utf-8", min_codepoint=0x20, exclude_characters="<&]\ufffe\uffff")
_ODD = st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\r", "\n", "\t", "]", "]]>", "&", "&amp;", "<", ">",
                        "\ufffe", "\uffff", "\u3000", "\x85", "\U0001f600"])
_NAMES = st.sampled_from(["ToUserName", "Encrypt", "Content", "MsgId", "A", "a.b-c_1", "_x"])
_ODD_NAMES = st.sampled_from(["Item", "xml", "1A", "A:B", "中", "A b"])
_GAPS = st.sampled_from(["", " ", "\n", "\t\n  "])
_ODD_GAPS = st.sampled_from(["\r\n", "x", "\u3000", "<!--c-->"])


@st.composite
def _wecom_like(draw: st.DrawFn) -> str:
    flawed = draw(st.booleans())

    def pick(usual: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> str:
        return draw(odd) if flawed and draw(st.integers(0, 5)) == 0 else draw(usual)

    parts = [pick(st.just("<xml>"), st.sampled_from(["<root>", " <xml>", '<?xml version="1.0"?><xml>']))]
    for _ in range(draw(st.integers(0, 6))):
        name = pick(_NAMES, _ODD_NAMES)
        text = "".join(pick(_SAFE, _ODD) for _ in range(draw(st.integers(0, 10))))
        cdata = draw(st.booleans())
        if cdata and draw(st.booleans()):
            text += draw(st.sampled_from(["<b>", "&", "]", "]>"]))  # literal inside CDATA
        wrapped = f"<![CDATA[{text}]]>" if cdata else text
        parts.append(f"{pick(_GAPS, _ODD_GAPS)}<{name}>{wrapped}</{pick(st.just(name), st.just('Other'))}>")
    parts.append(pick(_GAPS, _ODD_GAPS) + pick(st.just("</xml>"), st.sampled_from(["</root>", "</xml><xml/>"]))
                 + pick(_GAPS, _ODD_GAPS))
    return "".join(parts)


@settings(max_examples=1500, deadline=None)
@given(body=_wecom_like(), as_bytes=st.booleans())
def test_wecom_shaped_bodies_read_as_the_tree_path_reads_them(body: str, as_bytes: bool) -> None:
    """Fields equal, or refused for the same reason: the plain bodies are read by two regular expressions
    (bot/wecom/xml.py), every other by expat, and neither may read a body differently from the tree path."""
    data: bytes | str = body.encode("utf-8", "surrogatepass") if as_bytes else body
    try:
        expected = xml_fields(parse_xml(data))
    except MalformedCallback as tree:
        with pytest.raises(MalformedCallback) as flat:
            read_fields(data)
        assert str(flat.value) == str(tree)
    else:
        assert read_fields(data) == expected


def test_a_callback_as_wecom_sends_it_is_read_without_expat(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outer envelope and the inner message of a staff text, as the emulator seals them, take the
    regular expressions' path (expat is slower: bench/README.md, "Intake CPU per callback")."""
    from bot.wecom import xml

    def no_expat(_data: bytes | str) -> dict[str, str | list[str]]:
        raise AssertionError("read by expat")

    monkeypatch.setattr(xml, "_read_with_expat", no_expat)
    inner = ("<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[zhang.wei]]></FromUserName>"
             "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ 下单 ]]>"
             "</Content><MsgId><![CDATA[1000000000001]]></MsgId><AgentID>1000002</AgentID></xml>")
    assert read_fields(inner)["Content"] == "下单"
    outer = b"<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<Encrypt><![CDATA[a+b/c=]]></Encrypt>\n</xml>"
    assert read_fields(outer) == {"ToUserName": "ww1", "Encrypt": "a+b/c="}
