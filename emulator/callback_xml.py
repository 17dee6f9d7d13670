"""Plaintext callback XML, field for field as shared/wecom/callbacks.md, customer-contact.md, kf.md show it.

Strings go in CDATA, integers bare (build_xml); element order follows the documented examples.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.wecom.xml import build_xml


def _sys_header(corp_id: str, now: int, event: str) -> dict[str, object]:
    return {"ToUserName": corp_id, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
            "Event": event}


def contact_event(corp_id: str, now: int, change_type: str, userid: str, external_userid: str, *,
                  state: str | None = None, welcome_code: str | None = None, source: str | None = None,
                  fail_reason: str | None = None) -> str:
    """change_external_contact (customer-contact.md §1). State is present (maybe empty) on adds."""
    fields = _sys_header(corp_id, now, "change_external_contact")
    fields["ChangeType"] = change_type
    if fail_reason is not None:
        fields["FailReason"] = fail_reason
    fields.update({"UserID": userid, "ExternalUserID": external_userid})
    if change_type in ("add_external_contact", "add_half_external_contact"):
        fields["State"] = state or ""
        if welcome_code:
            fields["WelcomeCode"] = welcome_code
    if source:
        fields["Source"] = source
    return build_xml(fields)


def chat_event(corp_id: str, now: int, chat_id: str, change_type: str, *, update_detail: str | None = None,
               join_scene: int | None = None, quit_scene: int | None = None,
               members: Sequence[str] | None = None, last_mem_ver: str | None = None,
               cur_mem_ver: str | None = None) -> str:
    """change_external_chat (customer-contact.md §2)."""
    fields = _sys_header(corp_id, now, "change_external_chat")
    fields.update({"ChatId": chat_id, "ChangeType": change_type})
    if update_detail:
        fields["UpdateDetail"] = update_detail
    if join_scene is not None:
        fields["JoinScene"] = join_scene
    if quit_scene is not None:
        fields["QuitScene"] = quit_scene
    if members is not None:
        fields["MemChangeCnt"] = len(members)
        fields["MemChangeList"] = list(members)
    if last_mem_ver is not None:
        fields["LastMemVer"] = last_mem_ver
    if cur_mem_ver is not None:
        fields["CurMemVer"] = cur_mem_ver
    return build_xml(fields)


def tag_event(corp_id: str, now: int, change_type: str, tag_or_group_id: str,
              tag_type: str | None = None) -> str:
    """change_external_tag (customer-contact.md §3); shuffle has no TagType, Id may be empty."""
    fields = _sys_header(corp_id, now, "change_external_tag")
    fields["Id"] = tag_or_group_id
    if tag_type:
        fields["TagType"] = tag_type
    fields["ChangeType"] = change_type
    return build_xml(fields)


def kf_event(corp_id: str, now: int, token: str, open_kfid: str) -> str:
    """kf_msg_or_event: no FromUserName, no content; only "pull now" (kf.md §1)."""
    return build_xml({"ToUserName": corp_id, "CreateTime": now, "MsgType": "event",
                      "Event": "kf_msg_or_event", "Token": token, "OpenKfId": open_kfid})


def app_text(corp_id: str, userid: str, now: int, content: str, msg_id: int, agent_id: int) -> str:
    """A staff member's text to the self-built app (callbacks.md §6)."""
    return build_xml({"ToUserName": corp_id, "FromUserName": userid, "CreateTime": now, "MsgType": "text",
                      "Content": content, "MsgId": msg_id, "AgentID": agent_id})


def app_event(corp_id: str, userid: str, now: int, event: str, agent_id: int, event_key: str = "") -> str:
    """enter_agent / click / view ... (callbacks.md §7)."""
    return build_xml({"ToUserName": corp_id, "FromUserName": userid, "CreateTime": now, "MsgType": "event",
                      "Event": event, "EventKey": event_key, "AgentID": agent_id})
