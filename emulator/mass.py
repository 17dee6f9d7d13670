"""Mass-message tasks (群发, add_msg_template) and group welcome templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.transcript import summarize


@dataclass(slots=True)
class SendRecord:
    """One row of get_groupmsg_send_result: 0 unsent, 1 sent, 2 not a friend, 3 quota hit."""

    userid: str
    external_userid: str = ""
    chat_id: str = ""
    status: int = 0
    send_time: int = 0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"external_userid": self.external_userid, "chat_id": self.chat_id,
                               "userid": self.userid, "status": self.status}
        if self.status == 1:
            out["send_time"] = self.send_time  # only once sent (unconfirmed)
        return out


@dataclass(slots=True)
class MassTask:
    msgid: str
    chat_type: str  # "single" or "group"
    created_at: int
    text: str
    attachments: list[dict[str, Any]]
    records: list[SendRecord] = field(default_factory=list)

    def summary(self) -> str:
        """The text and a line per attachment, as a receiver's chat shows the message."""
        return "\n".join(x for x in [self.text, *(summarize(a["msgtype"], a[a["msgtype"]]) for a in self.attachments)]
                         if x)


@dataclass(slots=True)
class GroupWelcomeTemplate:
    template_id: str
    body: dict[str, Any]
    created_at: int


class MassBook:
    def __init__(self) -> None:
        self.tasks: dict[str, MassTask] = {}
        self.templates: dict[str, GroupWelcomeTemplate] = {}
        self.received: dict[str, list[int]] = {}  # customer or chat id -> send times (monthly quota)
