"""Scripts for staff sign-in and the chat-toolbar sidebar: who is signed into the client, which
chat the sidebar is open beside, and what the sidebar sent (staff-web.md)."""

from __future__ import annotations

from collections.abc import Mapping

from emulator.jssdk import ENTRIES, SidebarContext, SidebarMessage
from emulator.oauth import with_query
from emulator.scripting import ScriptBase


class StaffWebScripts(ScriptBase):
    # --- sign-in ---------------------------------------------------------------------------------

    def sign_in_as(self, userid: str | None) -> None:
        """The member logged into the emulated WeCom client; snsapi_base authorize links then
        redirect at once for them (doc 96441: silent). None: the page asks who the tester is."""
        if userid is not None:
            self._require_staff(userid)
        self.corp.signin.client_member = userid

    def oauth_code_for(self, userid: str, *, scope: str = "snsapi_base", web_login: bool = False) -> str:
        """A fresh code for a member, as if they had passed the authorize page (or the Web login):
        exchange it with auth/getuserinfo within 5 minutes, once."""
        self._require_staff(userid)
        corp = self.corp
        code = corp.signin.mint("web_login" if web_login else "oauth", corp.config.agent_id, corp.clock.time(),
                                scope=scope, userid=userid)
        return code.code

    def oauth_code_for_visitor(self, external_userid: str = "") -> str:
        """A code for a non-member opening the page in WeChat (openid, plus external_userid when
        they are a customer of the corp: doc 96442). An empty id means an unknown WeChat user."""
        corp = self.corp
        ext = external_userid if external_userid in corp.contacts.customers else ""
        openid = corp.signin.openid_for(ext or corp.ids.make("visitor", 24))
        customer_of_corp = bool(ext and corp.contacts.follows_of(ext))
        code = corp.signin.mint("oauth", corp.config.agent_id, corp.clock.time(), openid=openid,
                                external_userid=ext if customer_of_corp else "")
        return code.code

    def oauth_redirect(self, query: Mapping[str, str], *, userid: str = "", visitor: str | None = None) -> str:
        """Where the authorize page sends the browser: redirect_uri?…&code=CODE&state=STATE."""
        if visitor is not None:
            code = self.oauth_code_for_visitor(visitor)
        else:
            code = self.oauth_code_for(userid, scope=query.get("scope", "snsapi_base"))
        return with_query(query["redirect_uri"], [("code", code), ("state", query.get("state", ""))])

    def web_login_redirect(self, query: Mapping[str, str], *, userid: str) -> str:
        """Where the Web login sends the browser after approval (code/state names: unconfirmed for
        the new login page, taken from the old one)."""
        code = self.oauth_code_for(userid, web_login=True)
        return with_query(query["redirect_uri"], [("code", code), ("state", query.get("state", ""))])

    # --- the sidebar ---------------------------------------------------------------------------

    def open_sidebar(self, userid: str, *, external_userid: str = "", chat_id: str = "", open_kfid: str = "",
                     entry: str | None = None) -> SidebarContext:
        """The member opens the chat toolbar beside a chat: a customer's 1:1 chat (single_chat_tools),
        a customer group (group_chat_tools) or a kf chat (single_kf_tools, with `open_kfid`).
        `entry` overrides (e.g. "contact_profile", "normal"). Pages registered from now on see it;
        the member is also signed into the client."""
        self._require_staff(userid)
        corp = self.corp
        if entry is None:
            entry = "group_chat_tools" if chat_id else "single_kf_tools" if open_kfid else \
                "single_chat_tools" if external_userid else "normal"
        if entry not in ENTRIES:
            raise ValueError(f"unknown entry {entry!r}; one of {ENTRIES}")
        if chat_id and chat_id not in corp.groups.chats:
            raise ValueError(f"unknown customer group {chat_id!r}")
        if external_userid and external_userid not in corp.contacts.customers:
            raise ValueError(f"unknown customer {external_userid!r}")
        context = SidebarContext(userid, entry, external_userid, chat_id, open_kfid)
        corp.jssdk.context = context
        corp.signin.client_member = userid
        return context

    def close_sidebar(self) -> None:
        self.corp.jssdk.context = None

    def chat_messages_sent_by_sidebar(self) -> list[SidebarMessage]:
        """Every message a sidebar page dropped into a chat with sendChatMessage, oldest first."""
        return list(self.corp.jssdk.sent)
