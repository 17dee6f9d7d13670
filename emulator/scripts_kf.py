"""Scripts for 微信客服: a WeChat customer chatting, servicers acting in the WeCom client.

Every script appends an entry to the sync_msg log (kf.md §2–3) and then pushes a
kf_msg_or_event with a fresh Token: the push says only "pull now".
"""

from __future__ import annotations

from typing import Any

from emulator import callback_xml as cx
from emulator.driver import Delivery
from emulator.kf_desk import KfSession
from emulator.scripting import ScriptBase


class KfScripts(ScriptBase):
    async def customer_enters_kf(self, external_userid: str | None = None, *, open_kfid: str | None = None,
                                 scene: str = "", scene_param: str = "", welcome: bool = True,
                                 name: str = "") -> Delivery:
        """enter_session; welcome_code (20 s) only when allowed: no native welcome (`welcome`), and no
        welcome received nor message sent in the last 48 h (kf.md §3)."""
        corp, now = self.corp, self.corp.clock.time()
        kf = self._kf(open_kfid)
        ext = self._customer(external_userid, name).external_userid
        session = corp.kf.session(kf, ext)
        session.enter_context = {"scene": scene, "scene_param": scene_param}
        window = corp.config.kf_window
        recent = [t for t in (session.last_welcome_at, session.last_customer_msg_at) if t is not None]
        event: dict[str, Any] = {"event_type": "enter_session", "open_kfid": kf, "external_userid": ext,
                                 "scene": scene, "scene_param": scene_param}
        if welcome and all(now - t > window for t in recent):
            code = corp.kf.issue_code("welcome", session, now=now, ttl=corp.config.kf_welcome_code_ttl,
                                      msgtypes=("text", "msgmenu"), state=None)
            event["welcome_code"] = code.code
        self._system_line(ext, f"进入客服会话「{corp.kf.accounts[kf]}」（场景：{scene or '无'}）", "enter_session")
        return await self._event_entry(session, event)

    async def customer_says(self, external_userid: str, text: str, *, open_kfid: str | None = None,
                            menu_id: str | None = None) -> Delivery:
        """An origin-3 text; it opens a new session (4 → 0) and resets the 48 h / 5-message window."""
        content: dict[str, Any] = {"content": text}
        if menu_id is not None:
            content["menu_id"] = menu_id
        return await self._customer_writes(external_userid, open_kfid, {"msgtype": "text", "text": content},
                                           shown=text, via="customer_says")

    async def customer_sends_image(self, external_userid: str, *, open_kfid: str | None = None) -> Delivery:
        """An origin-3 image message (`image{media_id}`, kf.md §2); like a text it resets the window."""
        body = {"msgtype": "image", "image": {"media_id": self.corp.ids.make("MEDIA", 24)}}
        return await self._customer_writes(external_userid, open_kfid, body, shown="[图片]", via="customer_sends_image")

    async def _customer_writes(self, external_userid: str, open_kfid: str | None, body: dict[str, Any], *,
                               shown: str, via: str) -> Delivery:
        """What any customer message does: re-open an ended session, reset the window, notify."""
        corp, now = self.corp, self.corp.clock.time()
        kf = self._kf(open_kfid)
        ext = self._customer(external_userid).external_userid
        session = corp.kf.session(kf, ext)
        if session.state == 4:
            session.state, session.servicer_userid = 0, ""
        session.last_customer_msg_at = now
        session.sent_since_customer = 0
        item = {"msgid": corp.ids.make("", 32), "open_kfid": kf, "external_userid": ext, "send_time": int(now),
                "origin": 3, **body}
        corp.kf.append(kf, ext, int(now), item)
        corp.transcripts.to_customer(ext, at=now, who="customer", text=shown, via=via)
        return await self._notify(kf)

    async def servicer_says(self, external_userid: str, text: str, *, userid: str | None = None,
                            open_kfid: str | None = None) -> Delivery:
        """A human servicer types in the WeCom client (origin 5). On an ended session this re-opens it
        (state 3, session_status_change change_type 4); from the queue it picks it up (change_type 1)."""
        corp, now = self.corp, self.corp.clock.time()
        kf = self._kf(open_kfid)
        session = corp.kf.session(kf, external_userid)
        servicer = self._servicer_of(kf, userid or session.servicer_userid or self._first_servicer(kf))
        if session.state in (2, 4):
            change_type = 4 if session.state == 4 else 1
            await self._status_change(session, change_type, new=servicer)
        elif session.state != 3:
            raise ValueError("servicers only write in queued, human or ended sessions")
        item = {"msgid": corp.ids.make("", 32), "open_kfid": kf, "external_userid": external_userid,
                "send_time": int(now), "origin": 5, "servicer_userid": servicer, "msgtype": "text",
                "text": {"content": text}}
        corp.kf.append(kf, external_userid, int(now), item)
        corp.transcripts.to_customer(external_userid, at=now, who="servicer", text=text, via="servicer_says")
        return await self._notify(kf)

    async def servicer_picks_up(self, external_userid: str, userid: str | None = None, *,
                                open_kfid: str | None = None) -> Delivery:
        """From the queue (state 2) to a human (3): change_type 1 with a msg_code (48 h)."""
        kf = self._kf(open_kfid)
        session = self.corp.kf.session(kf, external_userid)
        if session.state != 2:
            raise ValueError(f"session is in state {session.state}, not queued (2)")
        return await self._status_change(session, 1, new=self._servicer_of(kf, userid or self._first_servicer(kf)))

    async def servicer_transfers(self, external_userid: str, to_userid: str, *,
                                 open_kfid: str | None = None) -> Delivery:
        """Human to human (3 → 3): change_type 2, no msg_code."""
        kf = self._kf(open_kfid)
        session = self.corp.kf.session(kf, external_userid)
        if session.state != 3:
            raise ValueError(f"session is in state {session.state}, not with a servicer (3)")
        return await self._status_change(session, 2, old=session.servicer_userid, new=self._servicer_of(kf, to_userid))

    async def servicer_ends_session(self, external_userid: str, *, userid: str | None = None,
                                    open_kfid: str | None = None) -> Delivery:
        """The servicer ends the chat (3 → 4): change_type 3 with a 20 s msg_code for a goodbye/survey."""
        session = self.corp.kf.session(self._kf(open_kfid), external_userid)
        if session.state != 3:
            raise ValueError(f"session is in state {session.state}, not with a servicer (3)")
        return await self._status_change(session, 3, old=userid or session.servicer_userid)

    async def servicer_status(self, userid: str, receiving: bool, *, stop_type: int = 0,
                              open_kfid: str | None = None) -> Delivery:
        """servicer_status_change: status 1 receiving / 2 stopped; stop_type 0 stopped, 1 suspended."""
        corp, now = self.corp, self.corp.clock.time()
        kf = self._kf(open_kfid)
        servicer = corp.kf.servicers[self._servicer_of(kf, userid)]
        servicer.receiving, servicer.stop_type = receiving, 0 if receiving else stop_type
        event = {"event_type": "servicer_status_change", "servicer_userid": userid,
                 "status": 1 if receiving else 2, "stop_type": servicer.stop_type, "open_kfid": kf}
        item = {"msgid": corp.ids.make("", 32), "send_time": int(now), "origin": 4, "msgtype": "event",
                "event": event}
        corp.kf.append(kf, "", int(now), item)
        return await self._notify(kf)

    async def kf_send_fails(self, external_userid: str, fail_msgid: str, fail_type: int = 0, *,
                            open_kfid: str | None = None) -> Delivery:
        """msg_send_fail for a message the bot sent (fail_type e.g. 4 expired, 6 over 5 messages)."""
        session = self.corp.kf.session(self._kf(open_kfid), external_userid)
        return await self._event_entry(session, {
            "event_type": "msg_send_fail", "open_kfid": session.open_kfid, "external_userid": external_userid,
            "fail_msgid": fail_msgid, "fail_type": fail_type})

    async def customer_recalls(self, external_userid: str, recall_msgid: str, *,
                               open_kfid: str | None = None) -> Delivery:
        session = self.corp.kf.session(self._kf(open_kfid), external_userid)
        return await self._event_entry(session, {
            "event_type": "user_recall_msg", "open_kfid": session.open_kfid, "external_userid": external_userid,
            "recall_msgid": recall_msgid})

    # --- helpers ---------------------------------------------------------------------------------

    async def _status_change(self, session: KfSession, change_type: int, *, old: str = "",
                             new: str = "") -> Delivery:
        """session_status_change: old_ for 2/3/4, new_ for 1/2/4, msg_code only for 1 and 3."""
        corp, now, cfg = self.corp, self.corp.clock.time(), self.corp.config
        event: dict[str, Any] = {"event_type": "session_status_change", "open_kfid": session.open_kfid,
                                 "external_userid": session.external_userid, "change_type": change_type}
        if change_type in (2, 3, 4):
            event["old_servicer_userid"] = old or session.servicer_userid
        if change_type in (1, 2, 4):
            event["new_servicer_userid"] = new
        session.state = 4 if change_type == 3 else 3
        session.servicer_userid = "" if change_type == 3 else new
        if change_type == 1:
            code = corp.kf.issue_code("pickup", session, now=now, ttl=cfg.kf_wait_code_ttl, msgtypes=("text",),
                                      state=3)
            event["msg_code"] = code.code
        elif change_type == 3:
            code = corp.kf.issue_code("end", session, now=now, ttl=cfg.kf_end_code_ttl,
                                      msgtypes=("text", "msgmenu"), state=4)
            event["msg_code"] = code.code
        return await self._event_entry(session, event)

    async def _event_entry(self, session: KfSession, event: dict[str, Any]) -> Delivery:
        """Append an origin-4 event (ids only inside `event`, kf.md §2) and notify."""
        corp, now = self.corp, int(self.corp.clock.time())
        item = {"msgid": corp.ids.make("", 32), "send_time": now, "origin": 4, "msgtype": "event", "event": event}
        corp.kf.append(session.open_kfid, session.external_userid, now, item)
        return await self._notify(session.open_kfid)

    async def _notify(self, open_kfid: str) -> Delivery:
        corp = self.corp
        token = corp.kf.issue_token(open_kfid, corp.clock.time())
        return await self.deliver(cx.kf_event(corp.config.corp_id, corp.now(), token, open_kfid))

    def _kf(self, open_kfid: str | None) -> str:
        accounts = self.corp.kf.accounts
        kf = open_kfid or next(iter(accounts))
        if kf not in accounts:
            raise ValueError(f"unknown open_kfid {kf!r}; configured: {sorted(accounts)}")
        return kf

    def _first_servicer(self, open_kfid: str) -> str:
        for servicer in self.corp.kf.servicers_of(open_kfid):
            if servicer.receiving:
                return servicer.userid
        raise ValueError(f"no servicer of {open_kfid!r} is receiving")

    def _servicer_of(self, open_kfid: str, userid: str) -> str:
        if not self.corp.kf.serves(open_kfid, userid):
            raise ValueError(f"{userid!r} is not a servicer of {open_kfid!r}; "
                             f"configured: {self.corp.kf.account_servicers.get(open_kfid, [])}")
        return userid
