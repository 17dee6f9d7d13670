"""Customer-contact APIs: customers, corp tags, welcome messages, 「联系我」 (customer-contact.md §5–8).

None of these generate callbacks: only actions in the client/admin UI do (doc 96361).
"""

from __future__ import annotations

from typing import Any

from emulator.api import GET, ApiRequest, Endpoint
from emulator.checks import check_attachments, integer, max_bytes, obj, str_list, string, text_of
from emulator.contacts import ContactWay, Follow
from emulator.envelope import ApiReject
from emulator.state import CorpState
from emulator.tags import MAX_CORP_TAGS, Tag, TagGroup
from emulator.transcript import summarize

MAX_STATE_CHARS = 30


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("externalcontact/get", get_contact, methods=GET, reads_body=False,
                 defaults={"external_contact": {}, "follow_user": []}),
        Endpoint("externalcontact/list", list_contacts, methods=GET, reads_body=False,
                 defaults={"external_userid": []}),
        Endpoint("externalcontact/get_corp_tag_list", get_corp_tag_list, defaults={"tag_group": []}),
        Endpoint("externalcontact/add_corp_tag", add_corp_tag),
        Endpoint("externalcontact/mark_tag", mark_tag),
        Endpoint("externalcontact/send_welcome_msg", send_welcome_msg),
        Endpoint("externalcontact/add_contact_way", add_contact_way),
    ]


def require_staff(corp: CorpState, userid: str) -> str:
    if not userid:
        raise ApiReject(41009)
    if not corp.is_staff(userid):
        raise ApiReject(40003)
    return userid


def require_customer(corp: CorpState, external_userid: str) -> str:
    if not external_userid:
        raise ApiReject(41035)
    if external_userid not in corp.contacts.customers:
        raise ApiReject(40096)
    return external_userid


def follow_json(corp: CorpState, follow: Follow) -> dict[str, Any]:
    tags = []
    for tag_id in follow.tag_ids:
        tag = corp.tags.tag(tag_id)
        if tag:
            group = corp.tags.groups[tag.group_id]
            tags.append({"group_name": group.group_name, "tag_name": tag.name, "tag_id": tag.id, "type": 1})
    out: dict[str, Any] = {
        "userid": follow.userid, "remark": follow.remark, "description": follow.description,
        "createtime": follow.createtime, "tags": tags, "remark_mobiles": list(follow.remark_mobiles),
        "add_way": follow.add_way, "oper_userid": follow.oper_userid,
    }
    if follow.state:
        out["state"] = follow.state  # absent when the add carried no State (unconfirmed)
    return out


def get_contact(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET externalcontact/get?external_userid= (doc 92114)."""
    ext = require_customer(corp, req.query.get("external_userid", ""))
    follows = corp.contacts.follows_of(ext)
    if not follows:
        raise ApiReject(84061)  # nobody in the corp still has them (unconfirmed code for this case)
    return {"external_contact": corp.contacts.customers[ext].as_json(),
            "follow_user": [follow_json(corp, f) for f in follows], "next_cursor": ""}


def list_contacts(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET externalcontact/list?userid= (doc 92113)."""
    userid = require_staff(corp, req.query.get("userid", ""))
    customers = corp.contacts.customers_of(userid)
    if not customers:
        raise ApiReject(84061)  # community reports: a member without customers gets 84061 (unconfirmed)
    return {"external_userid": customers}


def get_corp_tag_list(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST get_corp_tag_list: both filters empty → all; group_id wins over tag_id (doc 92117)."""
    group_ids = str_list(req.body, "group_id")
    tag_ids = str_list(req.body, "tag_id")
    lib = corp.tags
    out = []
    for group in lib.groups.values():
        if group_ids:
            if group.group_id in group_ids:
                out.append(lib.group_json(group))
        elif tag_ids:
            picked = [t for t in group.tags if t.id in tag_ids]
            if picked:
                out.append(lib.group_json(group, picked))
        else:
            out.append(lib.group_json(group))
    return {"tag_group": out}


def add_corp_tag(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST add_corp_tag: into group_id, or into/creating group_name (doc 92117)."""
    body = req.body
    items = body.get("tag")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("name") for i in items):
        raise ApiReject(40058)
    lib, now = corp.tags, corp.now()
    group_id, group_name = string(body, "group_id"), string(body, "group_name")
    if group_id:
        group = lib.groups.get(group_id)
        if group is None:
            raise ApiReject(40068)
    elif group_name:
        group = lib.group_by_name(group_name) or TagGroup(corp.ids.make("et", 30), group_name, now,
                                                          order=integer(body.get("order")), by_app=True)
    else:
        raise ApiReject(40058)
    names = [str(i["name"]) for i in items]
    if len(set(names)) != len(names) or any(t.name in names for t in group.tags):
        raise ApiReject(40071)
    if lib.count() + len(names) > MAX_CORP_TAGS:
        raise ApiReject(40126)
    lib.add_group(group)
    created = [Tag(corp.ids.make("et", 30), str(i["name"]), group.group_id, now,
                   order=integer(i.get("order")), by_app=True) for i in items]
    group.tags.extend(created)
    return {"tag_group": lib.group_json(group, created, with_deleted=False)}


def mark_tag(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST mark_tag (doc 92118); ids must be corp tag ids, else 40068."""
    body = req.body
    userid = require_staff(corp, string(body, "userid"))
    ext = require_customer(corp, string(body, "external_userid"))
    add, remove = str_list(body, "add_tag"), str_list(body, "remove_tag")
    if not add and not remove:
        raise ApiReject(40058)
    follow = corp.contacts.follow(ext, userid)
    if follow is None:
        raise ApiReject(84061)
    if any(corp.tags.tag(t) is None for t in add + remove):
        raise ApiReject(40068)
    for tag_id in add:
        if tag_id not in follow.tag_ids:
            follow.tag_ids.append(tag_id)
    for tag_id in remove:
        if tag_id in follow.tag_ids:
            follow.tag_ids.remove(tag_id)
    return {}


def send_welcome_msg(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST send_welcome_msg: 20 s after the event, once per code (doc 92137)."""
    body = req.body
    code = string(body, "welcome_code")
    if not code:
        raise ApiReject(41049)
    welcome = corp.contacts.welcome_codes.get(code)
    if welcome is None:
        raise ApiReject(41050)
    if welcome.used_at is not None:
        raise ApiReject(41051)
    if corp.clock.time() - welcome.issued_at > corp.config.welcome_code_ttl:
        raise ApiReject(41050)
    text = text_of(body)
    attachments = check_attachments(body)
    if not text and not attachments:
        raise ApiReject(44004)
    max_bytes("text.content", text, 4000)  # (unconfirmed limit)
    welcome.used_at = corp.clock.time()
    corp.contacts.welcomed.add((welcome.external_userid, welcome.userid))
    lines = [text] + [summarize(a["msgtype"], a[a["msgtype"]]) for a in attachments]
    corp.transcripts.to_customer(welcome.external_userid, at=corp.clock.time(), who="bot",
                                 text="\n".join(x for x in lines if x), via="externalcontact/send_welcome_msg",
                                 body={"userid": welcome.userid, **body})
    return {}


def add_contact_way(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST add_contact_way: a 「联系我」 config whose `state` comes back in add events (doc 92228)."""
    body = req.body
    way_type, scene = body.get("type"), body.get("scene")
    if way_type is None:
        raise ApiReject(41037)
    if way_type not in (1, 2):
        raise ApiReject(41039)
    if scene is None:
        raise ApiReject(41038)
    if scene not in (1, 2):
        raise ApiReject(41040)
    state = string(body, "state")
    if len(state) > MAX_STATE_CHARS:
        raise ApiReject(40058, f"state exceed max length {MAX_STATE_CHARS}.")
    users, party = str_list(body, "user"), body.get("party") or []
    if way_type == 1 and (len(users) != 1 or party):
        raise ApiReject(40058)  # type 1 takes exactly one member (unconfirmed code)
    if way_type == 2 and not users and not party:
        raise ApiReject(40058)
    for userid in users:
        require_staff(corp, userid)
    obj(body, "conclusions")
    config_id = corp.ids.make("", 32, "0123456789abcdef")
    qr_code = f"https://example.invalid/qr/{config_id}.png" if scene == 2 else ""
    corp.contacts.contact_ways[config_id] = ContactWay(
        config_id, way_type, scene, state, list(users), remark=string(body, "remark"),
        skip_verify=bool(body.get("skip_verify", True)), qr_code=qr_code, created_at=corp.now())
    out: dict[str, Any] = {"config_id": config_id}
    if qr_code:
        out["qr_code"] = qr_code
    return out
