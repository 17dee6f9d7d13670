"""Scripts for customer groups (change_external_chat) and staff confirming mass messages."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from emulator import callback_xml as cx
from emulator.driver import Delivery
from emulator.groups import CALLBACK_TO_GET_JOIN_SCENE, GroupChat, Member
from emulator.scripting import ScriptBase

BEIJING = timezone(timedelta(hours=8))  # quota months follow the corp's local calendar


class GroupScripts(ScriptBase):
    async def create_group(self, chat_id: str | None, owner: str, name: str, *, notice: str = "") -> Delivery:
        """The owner creates a customer group in the client → change_external_chat create."""
        corp, now = self.corp, self.corp.now()
        self._require_staff(owner)
        chat_id = chat_id or corp.ids.make("wr", 32)
        if corp.groups.live(chat_id):
            raise ValueError(f"group {chat_id!r} already exists")
        chat = GroupChat(chat_id, name, owner, now, notice)
        chat.members[owner] = Member(owner, 1, now, 1)
        corp.groups.chats[chat_id] = chat
        return await self.deliver(cx.chat_event(corp.config.corp_id, now, chat_id, "create"))

    async def customers_join_group(self, chat_id: str, external_userids: Sequence[str], *, scene: int = 3,
                                   invitor: str | None = None, name: str = "") -> Delivery:
        """update/add_member. `scene` uses the callback numbering: 0 invited by a member, 3 QR code; `name`:
        the nickname of a customer new to the corp."""
        if scene not in CALLBACK_TO_GET_JOIN_SCENE:
            raise ValueError("JoinScene is 0 (invited) or 3 (QR code) in callbacks")
        corp, now = self.corp, self.corp.now()
        chat = self._chat(chat_id)
        joined = []
        for ext in external_userids:
            self._customer(ext, name)
            if ext not in chat.members:
                chat.members[ext] = Member(ext, 2, now, CALLBACK_TO_GET_JOIN_SCENE[scene],
                                           invitor=invitor or (chat.owner if scene == 0 else ""))
                joined.append(ext)
        last = chat.member_version
        chat.version += 1
        return await self.deliver(cx.chat_event(corp.config.corp_id, now, chat_id, "update",
                                                update_detail="add_member", join_scene=scene, members=joined,
                                                last_mem_ver=last, cur_mem_ver=chat.member_version))

    async def customer_leaves_group(self, chat_id: str, external_userid: str, *,
                                    removed: bool = False) -> Delivery:
        """update/del_member; QuitScene 0 left by themselves, 1 removed by owner/admin."""
        corp, now = self.corp, self.corp.now()
        chat = self._chat(chat_id)
        if chat.members.pop(external_userid, None) is None:
            raise ValueError(f"{external_userid!r} is not in {chat_id!r}")
        last = chat.member_version
        chat.version += 1
        return await self.deliver(cx.chat_event(corp.config.corp_id, now, chat_id, "update",
                                                update_detail="del_member", quit_scene=1 if removed else 0,
                                                members=[external_userid], last_mem_ver=last,
                                                cur_mem_ver=chat.member_version))

    async def rename_group(self, chat_id: str, name: str) -> Delivery:
        """update/change_name: only ChatId, ChangeType and UpdateDetail are sent."""
        chat = self._chat(chat_id)
        chat.name = name
        return await self.deliver(cx.chat_event(self.corp.config.corp_id, self.corp.now(), chat_id, "update",
                                                update_detail="change_name"))

    async def dismiss_group(self, chat_id: str) -> Delivery:
        chat = self._chat(chat_id)
        chat.dismissed = True
        return await self.deliver(cx.chat_event(self.corp.config.corp_id, self.corp.now(), chat_id, "dismiss"))

    def confirm_group_msg(self, msgid: str, userid: str | None = None) -> int:
        """Staff tap "send" on an add_msg_template task (no callback); returns how many rows were sent.

        Rows become 1 sent, 2 no longer a friend, or 3 monthly receive quota used up."""
        corp = self.corp
        task = corp.mass.tasks.get(msgid)
        if task is None:
            raise ValueError(f"no mass-message task {msgid!r}")
        now = corp.now()
        text = task.summary()
        sent = 0
        for row in task.records:
            if row.status != 0 or (userid is not None and row.userid != userid):
                continue
            target = row.external_userid or row.chat_id
            if row.external_userid and corp.contacts.follow(row.external_userid, row.userid) is None:
                row.status = 2
            elif row.chat_id and corp.groups.live(row.chat_id) is None:
                row.status = 2
            elif self._quota_used(target):
                row.status = 3
            else:
                row.status, row.send_time = 1, now
                corp.mass.received.setdefault(target, []).append(now)
                if row.external_userid:
                    corp.transcripts.to_customer(row.external_userid, at=now, who="bot", text=text,
                                                 via="externalcontact/add_msg_template")
                else:
                    corp.transcripts.to_group(row.chat_id, at=now, who="bot", text=text,
                                              via="externalcontact/add_msg_template")
                sent += 1
        return sent

    def _quota_used(self, target: str) -> bool:
        today = datetime.fromtimestamp(self.corp.clock.time(), BEIJING)
        quota = self.corp.config.mass_quota_per_month or calendar.monthrange(today.year, today.month)[1]
        months = [datetime.fromtimestamp(t, BEIJING) for t in self.corp.mass.received.get(target, [])]
        return sum(1 for d in months if (d.year, d.month) == (today.year, today.month)) >= quota

    def _chat(self, chat_id: str) -> GroupChat:
        chat = self.corp.groups.live(chat_id)
        if chat is None:
            raise ValueError(f"no live group {chat_id!r}")
        return chat
