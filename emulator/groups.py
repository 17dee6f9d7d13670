"""Customer groups (客户群): members, versions, owners (customer-contact.md §2, §9)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# change_external_chat JoinScene (0 invited, 3 QR) -> groupchat/get join_scene (1 invite, 3 QR):
# the two numberings differ on purpose (customer-contact.md §2, "the trap").
CALLBACK_TO_GET_JOIN_SCENE = {0: 1, 3: 3}


@dataclass(slots=True)
class Member:
    userid: str
    type: int  # 1 staff, 2 external
    join_time: int
    join_scene: int  # groupchat/get numbering: 1 direct invite, 2 invite link, 3 QR code
    invitor: str = ""
    group_nickname: str = ""


@dataclass(slots=True)
class GroupChat:
    chat_id: str
    name: str
    owner: str
    create_time: int
    notice: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    admins: list[str] = field(default_factory=list)
    status: int = 0  # 0 normal, 1 owner resigned, 2 inheritance in progress, 3 inherited
    dismissed: bool = False
    version: int = 0

    @property
    def member_version(self) -> str:
        """An md5-shaped version that changes with every membership change."""
        return hashlib.md5(f"{self.chat_id}:{self.version}".encode()).hexdigest()


class GroupBook:
    def __init__(self) -> None:
        self.chats: dict[str, GroupChat] = {}

    def live(self, chat_id: str) -> GroupChat | None:
        chat = self.chats.get(chat_id)
        return chat if chat and not chat.dismissed else None

    def of_owner(self, userid: str) -> list[GroupChat]:
        return [c for c in self.chats.values() if c.owner == userid and not c.dismissed]
