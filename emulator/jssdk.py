"""The WeCom client's JS bridge, as far as a chat-toolbar (聊天工具栏) page sees it (staff-web.md §5–7).

Tickets (corp jsapi_ticket, app agent ticket), the signature check of wx.config /
wx.agentConfig, which chat the sidebar is open beside, and the toolbar APIs getContext,
getCurExternalContact, getCurExternalChat and sendChatMessage with their err_msg shapes.
The HTTP side (stand-in script, /jsbridge/*) is emulator/jsbridge.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from emulator.ids import IdMaker
from emulator.oauth import APP_SECRET_KIND, CODE_ALPHABET, trusted
from emulator.transcript import summarize

DEVTOOL = "more info at https://open.work.weixin.qq.com/devtool/query?e="

# getContext entries (doc 98419) and where each toolbar API may be called (doc 96918, 98531, 98539)
ENTRIES = ("single_chat_tools", "group_chat_tools", "contact_profile", "single_kf_tools", "chat_attachment",
           "normal")
CONTACT_ENTRIES = ("contact_profile", "single_chat_tools", "single_kf_tools")
CHAT_ENTRIES = ("group_chat_tools",)
SEND_ENTRIES = ("single_chat_tools", "group_chat_tools", "chat_attachment", "single_kf_tools")
SEND_MSGTYPES = ("text", "image", "video", "file", "news", "miniprogram")
KF_ONLY_MSGTYPES = ("msgmenu", "channels_shop_product")  # only in the kf toolbar (doc 96949)
TOOLBAR_APIS = ("getCurExternalContact", "getCurExternalChat", "sendChatMessage")


def signature(ticket: str, noncestr: str, timestamp: str, url: str) -> str:
    """SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, in this order, unencoded (doc 14924)."""
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


def page_url(href: str) -> str:
    """The URL a page must sign: the full URL cut at the first '#' (doc 14924)."""
    return href.split("#", 1)[0]


@dataclass(slots=True)
class JsTicket:
    ticket: str
    kind: str  # "corp" (get_jsapi_ticket) or "agent" (ticket/get?type=agent_config)
    secret_kind: str  # whose access_token fetched it; an agent ticket belongs to that app only
    issued_at: float
    expires_at: float


@dataclass(slots=True)
class SidebarContext:
    """Where the tester opened the sidebar: which member, which entry, beside which chat."""

    userid: str
    entry: str = "normal"
    external_userid: str = ""
    chat_id: str = ""
    open_kfid: str = ""


@dataclass(slots=True)
class Bridge:
    """One page load that called wx.config / wx.agentConfig (or ww.register)."""

    id: str
    url: str
    context: SidebarContext | None  # snapshot at registration: the page stays beside that chat
    config_ok: bool = False
    agent_ok: bool = False
    api_list: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SidebarMessage:
    """What a sidebar page dropped into the current chat with sendChatMessage."""

    at: float
    userid: str
    entry: str
    external_userid: str
    chat_id: str
    msgtype: str
    content: dict[str, Any]
    enter_chat: bool
    text: str  # a readable summary, as the chat shows it


class Rejected(Exception):
    """A failed registration; `err_msg` is what the page's fail/error callback receives."""

    def __init__(self, err_msg: str) -> None:
        super().__init__(err_msg)
        self.err_msg = err_msg


class JsSdkDesk:
    def __init__(self, ids: IdMaker) -> None:
        self._ids = ids
        self.tickets: dict[str, JsTicket] = {}
        self._current: dict[tuple[str, str], JsTicket] = {}  # (kind, secret kind) -> live ticket
        self.bridges: dict[str, Bridge] = {}
        self.context: SidebarContext | None = None
        self.sent: list[SidebarMessage] = []

    # --- tickets -----------------------------------------------------------------------------

    def issue(self, kind: str, secret_kind: str, now: float, ttl: int) -> JsTicket:
        """The live ticket of this kind for this app, or a new one. Whether WeCom hands out the same
        ticket again while valid is unconfirmed; we do, as for access_token."""
        current = self._current.get((kind, secret_kind))
        if current is not None and now < current.expires_at:
            return current
        ticket = JsTicket(self._ids.make("", 86, CODE_ALPHABET), kind, secret_kind, now, now + ttl)
        self.tickets[ticket.ticket] = ticket
        self._current[(kind, secret_kind)] = ticket
        return ticket

    def _signed_with(self, noncestr: str, timestamp: str, url: str, sig: str) -> JsTicket | None:
        for ticket in self.tickets.values():
            if signature(ticket.ticket, noncestr, timestamp, url) == sig.lower():
                return ticket
        return None

    # --- registration --------------------------------------------------------------------------

    def register(self, call: str, params: dict[str, Any], href: str, *, corp_id: str, agent_id: int,
                 domains: tuple[str, ...], now: float, bridge_id: str = "") -> Bridge:
        """wx.config (`call` "config") or wx.agentConfig ("agentConfig") from the page at `href`.

        Checks, in order: trusted domain (80001), corp id (40013), agent id, timestamp in seconds
        and the signature over the page's own URL with a live ticket of the right kind (40093;
        42012 for a corp ticket or another app's ticket in agentConfig). Raises Rejected."""
        url = page_url(href)
        if not trusted(url, domains):
            raise Rejected(f"{call}:not match any reliable domain. {DEVTOOL}80001")
        corp_key = "appId" if call == "config" else "corpid"
        if str(params.get(corp_key, "")) != corp_id:
            raise Rejected(f"{call}:invalid corpId {DEVTOOL}40013")
        if call == "agentConfig" and str(params.get("agentid", "")) != str(agent_id):
            raise Rejected(f"agentConfig:invalid agentid {DEVTOOL}40056")  # (unconfirmed wording and code)
        timestamp, noncestr = str(params.get("timestamp", "")), str(params.get("nonceStr", ""))
        if not timestamp.isdigit() or len(timestamp) > 10:  # seconds, not milliseconds (doc 90313, 40093)
            raise Rejected(f"{call}:invalid signature {DEVTOOL}40093")
        ticket = self._signed_with(noncestr, timestamp, url, str(params.get("signature", "")))
        if ticket is None or now >= ticket.expires_at:
            raise Rejected(f"{call}:invalid signature {DEVTOOL}40093")
        if call == "agentConfig" and (ticket.kind != "agent" or ticket.secret_kind != APP_SECRET_KIND):
            raise Rejected(f"agentConfig:fail, ticket no available, {DEVTOOL}42012")
        if call == "config" and ticket.kind != "corp":
            raise Rejected(f"config:invalid signature {DEVTOOL}40093")  # agent ticket in wx.config (unconfirmed)
        bridge = self.bridges.get(bridge_id)
        if bridge is None or bridge.url != url:
            bridge = Bridge(self._ids.make("br", 24), url, self.context)
            self.bridges[bridge.id] = bridge
        if call == "config":
            bridge.config_ok = True
        else:
            bridge.agent_ok = True
        bridge.api_list = [str(a) for a in params.get("jsApiList") or []]
        return bridge

    # --- toolbar APIs --------------------------------------------------------------------------

    def invoke(self, bridge_id: str, api: str, params: dict[str, Any], now: float) -> dict[str, Any]:
        """One wx.invoke: the result object with `err_msg` as the old jweixin reports it.

        Whether an API must also be listed in jsApiList is not checked (unconfirmed)."""
        bridge = self.bridges.get(bridge_id)
        registered = bridge is not None and (bridge.config_ok or bridge.agent_ok)
        if bridge is None or not registered:
            return {"err_msg": f"{api}:fail no permission"}
        context = bridge.context or SidebarContext("", "normal")
        if api == "getContext":
            return {"err_msg": "getContext:ok", "entry": context.entry}
        if api not in TOOLBAR_APIS:
            return {"err_msg": f"{api}:fail function not exist"}  # community wording (unconfirmed)
        if not bridge.agent_ok:  # "本接口必须使用应用身份进行注册" (doc 96918, 98531, 98539)
            return {"err_msg": f"{api}:fail no permission"}
        without = {"err_msg": f"{api}:fail without context of external contact"}
        if api == "getCurExternalContact":
            return {"err_msg": f"{api}:ok", "userId": context.external_userid} \
                if context.entry in CONTACT_ENTRIES else without
        if api == "getCurExternalChat":
            return {"err_msg": f"{api}:ok", "chatId": context.chat_id} if context.entry in CHAT_ENTRIES else without
        if context.entry not in SEND_ENTRIES:
            return without
        problem = self._check_message(params, kf=context.entry == "single_kf_tools")
        if problem:
            return {"err_msg": f"sendChatMessage:fail {problem}"}
        self._record(context, params, now)
        return {"err_msg": "sendChatMessage:ok"}

    @staticmethod
    def _check_message(params: dict[str, Any], *, kf: bool) -> str:
        """"" when the sendChatMessage payload is well-formed (doc 98539, 96935); the failure
        wording for bad payloads is ours except "invalid imgUrl" (unconfirmed)."""
        msgtype = params.get("msgtype", "text")
        allowed = SEND_MSGTYPES + (KF_ONLY_MSGTYPES if kf else ())
        if msgtype not in allowed:
            return "invalid msgtype"
        body = params.get(msgtype)
        if not isinstance(body, dict):
            return f"invalid {msgtype}"
        if msgtype == "text" and not str(body.get("content", "")):
            return "invalid text.content"
        if msgtype in ("image", "video", "file") and not body.get("mediaid"):
            return f"invalid {msgtype}.mediaid"
        if msgtype == "news" and not body.get("link"):
            return "invalid news.link"
        if msgtype == "miniprogram":
            if not str(body.get("imgUrl", "")).startswith(("http://", "https://")):
                return "invalid imgUrl"
            if not body.get("appid") or not str(body.get("page", "")).endswith(".html"):
                return "invalid miniprogram"
        return ""

    def _record(self, context: SidebarContext, params: dict[str, Any], now: float) -> SidebarMessage:
        msgtype = str(params.get("msgtype", "text"))
        content = dict(params.get(msgtype) or {})
        text = f"[图文] {content.get('title') or content.get('link', '')}" if msgtype == "news" \
            else summarize(msgtype, content)
        message = SidebarMessage(now, context.userid, context.entry, context.external_userid, context.chat_id,
                                 msgtype, content, bool(params.get("enterChat", False)), text)
        self.sent.append(message)
        return message
