"""Typed WeCom events: one frozen dataclass per thing that happened, parsed in the open.

Two wire sources feed them: decrypted callback XML (shared/wecom/callbacks.md,
customer-contact.md) and kf/sync_msg JSON entries (shared/wecom/kf.md). Every event has a
`dedupe_key` (MsgId for messages, the documented event identity for events, msgid for kf) and a
`kind` used in logs and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.errors import MalformedCallback

Fields = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    create_time: int = 0

    @property
    def dedupe_key(self) -> str:
        raise NotImplementedError


# --- self-built app: staff talking to the bot ----------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AppMessageReceived(Event):
    """A staff member sent a message to our self-built app."""

    kind: ClassVar[str] = "app_message"
    msg_id: str
    from_user: str
    msg_type: str
    content: str = ""
    agent_id: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"msg:{self.msg_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AppEventReceived(Event):
    """enter_agent, click and the other app UI events (no MsgId)."""

    kind: ClassVar[str] = "app_event"
    event: str
    from_user: str
    event_key: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"evt:{self.event}:{self.from_user}:{self.create_time}:{self.event_key}"


# --- customer contact: change_external_contact ---------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactEvent(Event):
    change_type: ClassVar[str] = ""
    userid: str
    external_userid: str

    @property
    def dedupe_key(self) -> str:
        return (f"evt:change_external_contact:{self.change_type}:{self.userid}:"
                f"{self.external_userid}:{self.create_time}")


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendAdded(ContactEvent):
    """A customer became a staff member's contact; State names the channel, WelcomeCode lives 20 s."""

    kind: ClassVar[str] = "friend_added"
    change_type: ClassVar[str] = "add_external_contact"
    state: str = ""
    welcome_code: str = ""
    half: bool = False  # add_half_external_contact: the member has not added back yet

    @property
    def dedupe_key(self) -> str:
        ct = "add_half_external_contact" if self.half else self.change_type
        return f"evt:change_external_contact:{ct}:{self.userid}:{self.external_userid}:{self.create_time}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendEdited(ContactEvent):
    kind: ClassVar[str] = "friend_edited"
    change_type: ClassVar[str] = "edit_external_contact"


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendRemovedByStaff(ContactEvent):
    """del_external_contact: the member deleted the customer (Source=DELETE_BY_TRANSFER on transfer)."""

    kind: ClassVar[str] = "friend_removed_by_staff"
    change_type: ClassVar[str] = "del_external_contact"
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendLeft(ContactEvent):
    """del_follow_user: the customer deleted the member."""

    kind: ClassVar[str] = "friend_left"
    change_type: ClassVar[str] = "del_follow_user"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferFailed(ContactEvent):
    kind: ClassVar[str] = "transfer_failed"
    change_type: ClassVar[str] = "transfer_fail"
    fail_reason: str = ""


# --- customer groups: change_external_chat -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupEvent(Event):
    chat_id: str

    @property
    def dedupe_key(self) -> str:
        return f"evt:change_external_chat:{self.kind}:{self.chat_id}:{self.create_time}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupCreated(GroupEvent):
    kind: ClassVar[str] = "group_created"


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupDismissed(GroupEvent):
    kind: ClassVar[str] = "group_dismissed"


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupUpdated(GroupEvent):
    """Members joined/left, owner/name/notice changed. JoinScene 0 invite / 3 QR; QuitScene 0 self / 1 removed."""

    kind: ClassVar[str] = "group_updated"
    update_detail: str
    join_scene: int | None = None
    quit_scene: int | None = None
    mem_change_cnt: int = 0
    members: tuple[str, ...] = ()
    last_mem_ver: str = ""
    cur_mem_ver: str = ""

    @property
    def dedupe_key(self) -> str:
        return (f"evt:change_external_chat:update:{self.chat_id}:{self.update_detail}:"
                f"{self.cur_mem_ver}:{self.create_time}")


# --- corp tags: change_external_tag --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpTagChanged(Event):
    kind: ClassVar[str] = "corp_tag_changed"
    change_type: str
    id: str = ""
    tag_type: str = ""
    strategy_id: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"evt:change_external_tag:{self.change_type}:{self.tag_type}:{self.id}:{self.create_time}"


# --- WeChat Customer Service ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class KfNotified(Event):
    """kf_msg_or_event: only "pull now"; the content comes from kf/sync_msg with this Token."""

    kind: ClassVar[str] = "kf_notified"
    token: str
    open_kfid: str

    @property
    def dedupe_key(self) -> str:
        return f"evt:kf_msg_or_event:{self.open_kfid}:{self.token}:{self.create_time}"


@dataclass(frozen=True, slots=True, kw_only=True)
class KfEntry(Event):
    """One entry of kf/sync_msg msg_list; de-duplicated by msgid."""

    msgid: str
    open_kfid: str
    external_userid: str
    origin: int

    @property
    def dedupe_key(self) -> str:
        return f"kf:{self.msgid}"


@dataclass(frozen=True, slots=True, kw_only=True)
class KfMessageReceived(KfEntry):
    """A message in a kf chat: origin 3 from the customer, 5 from a human servicer."""

    kind: ClassVar[str] = "kf_message"
    msgtype: str
    text: str = ""
    menu_id: str = ""
    servicer_userid: str = ""
    body: Fields = field(default_factory=dict)  # the msgtype object as sent, for non-text types

    @property
    def from_customer(self) -> bool:
        return self.origin == 3


@dataclass(frozen=True, slots=True, kw_only=True)
class KfSessionEntered(KfEntry):
    """enter_session: the customer opened the chat; welcome_code (20 s) only if WeCom allows a welcome."""

    kind: ClassVar[str] = "kf_enter_session"
    scene: str = ""
    scene_param: str = ""
    welcome_code: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class KfSessionStatusChanged(KfEntry):
    """A servicer acted in the client: 1 picked up, 2 transferred, 3 ended, 4 re-opened."""

    kind: ClassVar[str] = "kf_session_status"
    change_type: int
    old_servicer_userid: str = ""
    new_servicer_userid: str = ""
    msg_code: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class KfSendFailed(KfEntry):
    kind: ClassVar[str] = "kf_send_failed"
    fail_msgid: str = ""
    fail_type: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class KfOtherEvent(KfEntry):
    """servicer_status_change, recalls and other kf events we store but do not act on yet."""

    kind: ClassVar[str] = "kf_event"
    event_type: str
    body: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownCallback(Event):
    """Anything we do not model yet: stored and logged, never fatal."""

    kind: ClassVar[str] = "unknown"
    fields: Fields = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        f = self.fields
        ident = ":".join(str(f.get(k, "")) for k in
                         ("MsgType", "Event", "ChangeType", "FromUserName", "MsgId", "CreateTime"))
        return f"unknown:{ident}"


# --- parsing ---------------------------------------------------------------------------------


def _s(f: Fields, key: str) -> str:
    v = f.get(key, "")
    return v if isinstance(v, str) else ""


def _int(f: Fields, key: str, default: int | None = 0) -> int | None:
    v = f.get(key)
    if v in (None, ""):
        return default
    try:
        return int(v)
    except (TypeError, ValueError) as exc:
        raise MalformedCallback(f"{key} is not an integer: {str(v)[:40]!r}") from exc


def _require(f: Fields, *keys: str) -> None:
    missing = [k for k in keys if not _s(f, k)]
    if missing:
        raise MalformedCallback(f"missing {', '.join(missing)}")


APP_EVENTS = frozenset({"subscribe", "unsubscribe", "enter_agent", "click", "view", "LOCATION",
                        "template_card_event", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
                        "pic_photo_or_album", "pic_weixin", "location_select"})


def parse_callback(f: Fields) -> Event:
    """The typed event for a decrypted callback's fields; MalformedCallback if required ones lack."""
    _require(f, "MsgType", "CreateTime")
    ct = _int(f, "CreateTime") or 0
    msg_type = _s(f, "MsgType")
    if msg_type != "event":
        _require(f, "MsgId", "FromUserName")
        return AppMessageReceived(create_time=ct, msg_id=_s(f, "MsgId"), from_user=_s(f, "FromUserName"),
                                  msg_type=msg_type, content=_s(f, "Content"), agent_id=_s(f, "AgentID"))
    event = _s(f, "Event")
    change = _s(f, "ChangeType")
    if event == "change_external_contact":
        _require(f, "UserID", "ExternalUserID")
        common: Fields = dict(create_time=ct, userid=_s(f, "UserID"), external_userid=_s(f, "ExternalUserID"))
        if change in ("add_external_contact", "add_half_external_contact"):
            return FriendAdded(**common, state=_s(f, "State"), welcome_code=_s(f, "WelcomeCode"),
                               half=change == "add_half_external_contact")
        if change == "edit_external_contact":
            return FriendEdited(**common)
        if change == "del_external_contact":
            return FriendRemovedByStaff(**common, source=_s(f, "Source"))
        if change == "del_follow_user":
            return FriendLeft(**common)
        if change == "transfer_fail":
            return TransferFailed(**common, fail_reason=_s(f, "FailReason"))
    elif event == "change_external_chat":
        _require(f, "ChatId")
        chat = _s(f, "ChatId")
        if change == "create":
            return GroupCreated(create_time=ct, chat_id=chat)
        if change == "dismiss":
            return GroupDismissed(create_time=ct, chat_id=chat)
        if change == "update":
            members = f.get("MemChangeList") or []
            return GroupUpdated(create_time=ct, chat_id=chat, update_detail=_s(f, "UpdateDetail"),
                                join_scene=_int(f, "JoinScene", None), quit_scene=_int(f, "QuitScene", None),
                                mem_change_cnt=_int(f, "MemChangeCnt") or 0,
                                members=tuple(members) if isinstance(members, list) else (),
                                last_mem_ver=_s(f, "LastMemVer"), cur_mem_ver=_s(f, "CurMemVer"))
    elif event == "change_external_tag":
        return CorpTagChanged(create_time=ct, change_type=change, id=_s(f, "Id"), tag_type=_s(f, "TagType"),
                              strategy_id=_s(f, "StrategyId"))
    elif event == "kf_msg_or_event":
        _require(f, "OpenKfId")
        return KfNotified(create_time=ct, token=_s(f, "Token"), open_kfid=_s(f, "OpenKfId"))
    elif event in APP_EVENTS and _s(f, "FromUserName"):
        return AppEventReceived(create_time=ct, event=event, from_user=_s(f, "FromUserName"),
                                event_key=_s(f, "EventKey"))
    return UnknownCallback(create_time=ct, fields=dict(f))


def parse_kf_entry(m: Fields) -> KfEntry:
    """The typed event for one kf/sync_msg msg_list entry."""
    msgid = m.get("msgid")
    if not isinstance(msgid, str) or not msgid:
        raise MalformedCallback("kf entry without msgid")
    send_time = int(m.get("send_time") or 0)
    origin = int(m.get("origin") or 0)
    msgtype = str(m.get("msgtype") or "")
    if msgtype == "event":
        ev = m.get("event") or {}
        et = str(ev.get("event_type") or "")
        common: Fields = dict(create_time=send_time, msgid=msgid, origin=origin,
                              open_kfid=str(ev.get("open_kfid") or ""),
                              external_userid=str(ev.get("external_userid") or ""))
        if et == "enter_session":
            return KfSessionEntered(**common, scene=str(ev.get("scene") or ""),
                                    scene_param=str(ev.get("scene_param") or ""),
                                    welcome_code=str(ev.get("welcome_code") or ""))
        if et == "session_status_change":
            return KfSessionStatusChanged(**common, change_type=int(ev.get("change_type") or 0),
                                          old_servicer_userid=str(ev.get("old_servicer_userid") or ""),
                                          new_servicer_userid=str(ev.get("new_servicer_userid") or ""),
                                          msg_code=str(ev.get("msg_code") or ""))
        if et == "msg_send_fail":
            return KfSendFailed(**common, fail_msgid=str(ev.get("fail_msgid") or ""),
                                fail_type=int(ev.get("fail_type") or 0))
        return KfOtherEvent(**common, event_type=et, body=dict(ev))
    found = m.get(msgtype)
    body: Fields = found if isinstance(found, dict) else {}
    return KfMessageReceived(create_time=send_time, msgid=msgid, origin=origin,
                             open_kfid=str(m.get("open_kfid") or ""),
                             external_userid=str(m.get("external_userid") or ""), msgtype=msgtype,
                             text=str(body.get("content") or "") if msgtype == "text" else "",
                             menu_id=str(body.get("menu_id") or "") if msgtype == "text" else "",
                             servicer_userid=str(m.get("servicer_userid") or ""), body=dict(body))
