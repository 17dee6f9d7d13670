"""Customer groups, mass messages and group welcome templates (customer-contact.md §9–12)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from emulator.api import ApiRequest, Endpoint
from emulator.api_contact import require_staff
from emulator.checks import check_attachments, max_bytes, str_list, string, text_of
from emulator.envelope import ApiReject
from emulator.mass import GroupWelcomeTemplate, MassTask, SendRecord
from emulator.state import CorpState

MAX_TEMPLATES = 100
TEMPLATE_MEDIA = ("image", "link", "miniprogram", "file", "video")


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("externalcontact/groupchat/list", groupchat_list, defaults={"group_chat_list": []}),
        Endpoint("externalcontact/groupchat/get", groupchat_get),
        Endpoint("externalcontact/add_msg_template", add_msg_template),
        Endpoint("externalcontact/get_groupmsg_send_result", get_groupmsg_send_result,
                 defaults={"send_list": []}),
        Endpoint("externalcontact/group_welcome_template/add", template_add),
        Endpoint("externalcontact/group_welcome_template/edit", template_edit),
        Endpoint("externalcontact/group_welcome_template/get", template_get),
        Endpoint("externalcontact/group_welcome_template/del", template_del),
    ]


def _offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _cursor_offset(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != "offset":
            raise ValueError(cursor)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiReject(50100) from exc  # invalid paging cursor (global code; use here unconfirmed)


def _limit(body: dict[str, Any], *, default: int | None, maximum: int) -> int:
    limit = body.get("limit", default)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= maximum:
        raise ApiReject(40058)
    return limit


def groupchat_list(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST groupchat/list; `limit` 1–1000 is required; status_filter 0 = all (doc 92120)."""
    body = req.body
    limit = _limit(body, default=None, maximum=1000)
    status_filter = body.get("status_filter", 0)
    owner_filter = body.get("owner_filter") or {}
    owners = str_list(owner_filter, "userid_list") if isinstance(owner_filter, dict) else []
    chats = [c for c in corp.groups.chats.values()
             if not c.dismissed and (not owners or c.owner in owners)
             and (status_filter == 0 or c.status == status_filter)]
    offset = _cursor_offset(string(body, "cursor"))
    page = chats[offset:offset + limit]
    more = offset + limit < len(chats)
    return {"group_chat_list": [{"chat_id": c.chat_id, "status": c.status} for c in page],
            "next_cursor": _offset_cursor(offset + limit) if more else ""}


def groupchat_get(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST groupchat/get; unknown or dismissed chat → 40050 "invalid group id" (observed)."""
    chat = corp.groups.live(string(req.body, "chat_id"))
    if chat is None:
        raise ApiReject(40050)
    need_name = req.body.get("need_name") == 1
    members = []
    for m in chat.members.values():
        item: dict[str, Any] = {"userid": m.userid, "type": m.type, "join_time": m.join_time,
                                "join_scene": m.join_scene}
        if m.invitor:
            item["invitor"] = {"userid": m.invitor}
        item["group_nickname"] = m.group_nickname
        customer = corp.contacts.customers.get(m.userid)
        if customer and customer.unionid:
            item["unionid"] = customer.unionid
        if need_name:
            item["name"] = corp.display_name(m.userid)
        members.append(item)
    return {"group_chat": {
        "chat_id": chat.chat_id, "name": chat.name, "owner": chat.owner, "create_time": chat.create_time,
        "notice": chat.notice, "member_list": members, "admin_list": [{"userid": a} for a in chat.admins],
        "member_version": chat.member_version}}


def add_msg_template(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST add_msg_template: proposes a mass message; nothing is sent until staff confirm (doc 92135)."""
    body = req.body
    chat_type = body.get("chat_type", "single") or "single"
    if chat_type not in ("single", "group"):
        raise ApiReject(40058)
    text = text_of(body)
    attachments = check_attachments(body)
    if not text and not attachments:
        raise ApiReject(44004)
    max_bytes("text.content", text, 4000)
    sender = string(body, "sender")
    if sender:
        require_staff(corp, sender)
    if chat_type == "single":
        records, fail_list = _single_records(corp, body, sender)
    else:
        records, fail_list = _group_records(corp, body, sender)
    if not records:
        raise ApiReject(41048)
    task = MassTask(corp.ids.make("msg", 30), chat_type, corp.now(), text, attachments, records)
    corp.mass.tasks[task.msgid] = task
    return {"fail_list": fail_list, "msgid": task.msgid}


def _single_records(corp: CorpState, body: dict[str, Any], sender: str) -> tuple[list[SendRecord], list[str]]:
    wanted = str_list(body, "external_userid")
    if not wanted and not sender:
        raise ApiReject(40058)
    if len(wanted) > 10_000:
        raise ApiReject(40058)
    candidates = wanted or corp.contacts.customers_of(sender)
    required_tags = _tag_filter(body)
    records, fail_list = [], []
    for ext in candidates:
        follows = [f for f in corp.contacts.follows_of(ext) if not sender or f.userid == sender]
        if required_tags:
            follows = [f for f in follows if all(set(f.tag_ids) & group for group in required_tags)]
        if not follows:
            if ext in wanted:
                fail_list.append(ext)
            continue
        # the member who last chatted gets the task; we take the most recent relation
        records.append(SendRecord(follows[-1].userid, external_userid=ext))
    return records, fail_list


def _tag_filter(body: dict[str, Any]) -> list[set[str]]:
    """tag_filter.group_list[].tag_list[]: OR inside a group, AND across groups."""
    tag_filter = body.get("tag_filter") or {}
    if not isinstance(tag_filter, dict):
        raise ApiReject(40058)
    groups = tag_filter.get("group_list") or []
    return [set(g.get("tag_list") or []) for g in groups if isinstance(g, dict)]


def _group_records(corp: CorpState, body: dict[str, Any], sender: str) -> tuple[list[SendRecord], list[str]]:
    if not sender:
        raise ApiReject(40058)  # sender is required for chat_type=group
    chat_ids = str_list(body, "chat_id_list") or [c.chat_id for c in corp.groups.of_owner(sender)]
    if len(chat_ids) > 2000:
        raise ApiReject(40058)
    records = []
    for chat_id in chat_ids:
        chat = corp.groups.live(chat_id)
        if chat and chat.owner == sender:
            records.append(SendRecord(sender, chat_id=chat_id))
    return records, []


def get_groupmsg_send_result(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST get_groupmsg_send_result: per-member rows, status 0–3 (doc 93338)."""
    body = req.body
    msgid = string(body, "msgid")
    if not msgid:
        raise ApiReject(41046)
    task = corp.mass.tasks.get(msgid)
    if task is None:
        raise ApiReject(41047)
    userid = require_staff(corp, string(body, "userid"))
    limit = _limit(body, default=500, maximum=1000)
    rows = [r for r in task.records if r.userid == userid]
    offset = _cursor_offset(string(body, "cursor"))
    page = rows[offset:offset + limit]
    more = offset + limit < len(rows)
    return {"next_cursor": _offset_cursor(offset + limit) if more else "",
            "send_list": [r.as_json() for r in page]}


def _template_fields(body: dict[str, Any]) -> dict[str, Any]:
    text = text_of(body)
    max_bytes("text.content", text, 3000)
    media = [k for k in TEMPLATE_MEDIA if body.get(k)]
    if len(media) > 1:
        raise ApiReject(40058)  # at most one attachment besides text (unconfirmed)
    if not text and not media:
        raise ApiReject(44004)
    fields: dict[str, Any] = {}
    if text:
        fields["text"] = {"content": text}
    for key in media:
        fields[key] = body[key]
    return fields


def template_add(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST group_welcome_template/add: ≤100 templates, `%NICKNAME%` placeholder (doc 92366)."""
    if len(corp.mass.templates) >= MAX_TEMPLATES:
        raise ApiReject(41055)
    fields = _template_fields(req.body)
    template = GroupWelcomeTemplate(corp.ids.make("msg", 30), fields, corp.now())
    corp.mass.templates[template.template_id] = template
    return {"template_id": template.template_id}


def _template(corp: CorpState, body: dict[str, Any]) -> GroupWelcomeTemplate:
    template = corp.mass.templates.get(string(body, "template_id"))
    if template is None:
        raise ApiReject(40058)  # unknown template_id (unconfirmed code)
    return template


def template_edit(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    template = _template(corp, req.body)
    template.body = _template_fields(req.body)
    return {}


def template_get(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    return dict(_template(corp, req.body).body)


def template_del(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    del corp.mass.templates[_template(corp, req.body).template_id]
    return {}
