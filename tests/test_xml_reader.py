"""The callback endpoint's one-pass XML reader reads every body as the tree path (parse_xml + xml_fields) does."""

from __future__ import annotations

import pytest

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
