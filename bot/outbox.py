"""Writing to the outbox: the one way anything leaves Wanzi.

Handlers call these methods inside the dispatcher's transaction, so a state change and the
message about it commit together or not at all. Each message also lands in the `message`
table for history and digests. Nothing here talks HTTP; bot.delivery does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from storage.models import Customer, Message, OutboxItem, OutboxStatus
from storage.newrows import new_row

WELCOME_TTL = timedelta(seconds=20)  # welcome_code / enter_session code lifetime (doc 92137, 95122)
# A notice on a transfer's msg_code (kf.md §5: good for 48 h) is stale long before that: a customer
# told "X is coming" an hour late has been waiting unanswered; past this it is not sent.
NOTICE_TTL_S = 3600

# Byte limits of the text fields (shared/wecom/kf.md §4, outbound.md §1-2, customer-contact.md §7, §10)
TEXT_LIMITS = {
    "kf/send_msg": 2048,
    "kf/send_msg_on_event": 2048,
    "message/send": 2048,
    "externalcontact/send_welcome_msg": 4000,
    "externalcontact/add_msg_template": 4000,
    "externalcontact/group_welcome_template/add": 3000,
    "webhook/send": 2048,
    "webhook/markdown": 4096,
}


def fit_bytes(text: str, limit: int) -> str:
    """Cut a text to at most `limit` UTF-8 bytes on a character boundary, marking the cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    return cut + "…"


@dataclass(frozen=True, slots=True)
class PushAdmission:
    """The push gate's yes (handlers/antispam): this customer may get a push on this route, from
    `due_at`. A push cannot be queued without one; the gate checks caps, quiet hours and opt-out
    again when the push falls due."""

    customer_id: int
    route: str  # "kf" (kf/send_msg in the 48 h window) or "contact" (a mass message staff confirm)
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Outbox:
    """Queue outbound WeCom calls in the caller's session."""

    session: AsyncSession
    clock: Clock

    def add(self, api: str, payload: dict[str, Any], *, kind: str = "reply", customer: Customer | None = None,
            deadline: datetime | None = None, due_at: datetime | None = None) -> OutboxItem:
        if kind == "push":
            raise ValueError("a push needs the push gate's admission: use Outbox.push_kf / push_to_friends")
        return self._add(api, payload, kind=kind, customer=customer, deadline=deadline, due_at=due_at)

    def _add(self, api: str, payload: dict[str, Any], *, kind: str, customer: Customer | None = None,
             deadline: datetime | None = None, due_at: datetime | None = None) -> OutboxItem:
        now = self.clock.now()
        item = new_row(OutboxItem, api=api, payload=payload, kind=kind, customer_id=customer.id if customer else None,
                       status=OutboxStatus.PENDING, attempts=0, due_at=due_at or now, deadline=deadline,
                       last_error="", created_at=now)
        self.session.add(item)
        return item

    def _record(self, item: OutboxItem, *, channel: str, text: str, customer: Customer | None = None,
                staff_userid: str = "", kind: str = "chat", template_key: str = "") -> None:
        message = new_row(Message, direction="out", channel=channel, customer_id=customer.id if customer else None,
                          staff_userid=staff_userid, kind=kind, text=text, template_key=template_key,
                          external_msgid="", created_at=self.clock.now())
        message.outbox_item = item  # a relationship: set as an attribute, the flush fills outbox_id from it
        self.session.add(message)

    # --- customers -------------------------------------------------------------------------

    def send_welcome(self, welcome_code: str, text: str, *, customer: Customer, deadline: datetime,
                     attachments: list[dict[str, Any]] | None = None, template_key: str = "") -> OutboxItem:
        content = fit_bytes(text, TEXT_LIMITS["externalcontact/send_welcome_msg"])
        payload: dict[str, Any] = {"welcome_code": welcome_code, "text": {"content": content}}
        if attachments:
            payload["attachments"] = attachments[:9]
        item = self._add("externalcontact/send_welcome_msg", payload, kind="welcome", customer=customer,
                        deadline=deadline)
        self._record(item, channel="contact", text=text, customer=customer, kind="welcome", template_key=template_key)
        return item

    def kf_send(self, open_kfid: str, customer: Customer, text: str, *, kind: str = "answer",
                template_key: str = "", due_at: datetime | None = None) -> OutboxItem:
        if kind == "push":
            raise ValueError("a push needs the push gate's admission: use Outbox.push_kf")
        return self._kf_send(open_kfid, customer, text, kind=kind, template_key=template_key, due_at=due_at)

    def _kf_send(self, open_kfid: str, customer: Customer, text: str, *, kind: str, template_key: str = "",
                 due_at: datetime | None = None) -> OutboxItem:
        payload = {"touser": customer.external_userid, "open_kfid": open_kfid, "msgtype": "text",
                   "text": {"content": fit_bytes(text, TEXT_LIMITS["kf/send_msg"])}}
        item = self._add("kf/send_msg", payload, kind=kind, customer=customer, due_at=due_at)
        self._record(item, channel="kf", text=text, customer=customer, kind=kind, template_key=template_key)
        return item

    def kf_send_on_event(self, code: str, text: str, *, customer: Customer | None, deadline: datetime | None,
                         kind: str = "welcome", template_key: str = "") -> OutboxItem:
        payload = {"code": code, "msgtype": "text",
                   "text": {"content": fit_bytes(text, TEXT_LIMITS["kf/send_msg_on_event"])}}
        item = self._add("kf/send_msg_on_event", payload, kind=kind, customer=customer, deadline=deadline)
        self._record(item, channel="kf", text=text, customer=customer, kind=kind, template_key=template_key)
        return item

    def mark_tag(self, userid: str, customer: Customer, *, add: Sequence[str] = (),
                 remove: Sequence[str] = ()) -> OutboxItem:
        payload = {"userid": userid, "external_userid": customer.external_userid,
                   "add_tag": list(add), "remove_tag": list(remove)}
        return self._add("externalcontact/mark_tag", payload, kind="sync", customer=customer)

    # --- pushes: only with the gate's admission ------------------------------------------------

    def push_kf(self, admission: PushAdmission, open_kfid: str, customer: Customer, text: str, *,
                template_key: str = "") -> OutboxItem:
        """A push in the customer's kf chat, due when the gate admitted it."""
        if admission.route != "kf" or admission.customer_id != customer.id:
            raise ValueError("this admission is not for a kf push to this customer")
        return self._kf_send(open_kfid, customer, text, kind="push", template_key=template_key,
                             due_at=admission.due_at)

    def push_to_friends(self, admissions: list[PushAdmission], sender: str, customers: list[Customer], text: str, *,
                        template_key: str = "", attachments: list[dict[str, Any]] | None = None) -> OutboxItem:
        """Propose a 1:1 mass message from `sender` to these friends (add_msg_template chat_type single):
        WeCom only creates a task, which the member confirms in the client (customer-contact.md §10).
        Every friend needs an admission for the same due time."""
        due = {a.due_at for a in admissions}
        if (len(admissions) != len(customers) or len(due) != 1 or any(a.route != "contact" for a in admissions)
                or [a.customer_id for a in admissions] != [c.id for c in customers]):
            raise ValueError("every friend needs a contact-route admission for the same time")
        return self._to_friends(sender, customers, text, kind="push", template_key=template_key,
                                attachments=attachments, due_at=due.pop())

    def friend_message(self, sender: str, customer: Customer, text: str, *, kind: str = "answer",
                       template_key: str = "") -> OutboxItem:
        """A 1:1 message from `sender` to one friend they own, proposed as add_msg_template chat_type
        single (customer-contact.md §10): the member confirms it in the WeCom client. For an answer the
        customer is waiting for (not a push: no gate, no cap)."""
        if kind == "push":
            raise ValueError("a push needs the push gate's admission: use Outbox.push_to_friends")
        return self._to_friends(sender, [customer], text, kind=kind, template_key=template_key)

    def _to_friends(self, sender: str, customers: list[Customer], text: str, *, kind: str, template_key: str,
                    attachments: list[dict[str, Any]] | None = None, due_at: datetime | None = None) -> OutboxItem:
        payload: dict[str, Any] = {"chat_type": "single", "external_userid": [c.external_userid for c in customers],
                                   "sender": sender, "text": {
                                       "content": fit_bytes(text, TEXT_LIMITS["externalcontact/add_msg_template"])}}
        if attachments:
            payload["attachments"] = attachments[:9]
        one = customers[0] if len(customers) == 1 else None  # a shared row counts per friend via its messages
        item = self._add("externalcontact/add_msg_template", payload, kind=kind, customer=one, due_at=due_at)
        for customer in customers:
            self._record(item, channel="contact", text=text, customer=customer, staff_userid=sender, kind=kind,
                         template_key=template_key)
        return item

    def group_welcome_template(self, text: str) -> OutboxItem:
        """Add the persona's 入群欢迎语 to the corp library (customer-contact.md §12)."""
        payload = {"text": {"content": fit_bytes(text, TEXT_LIMITS["externalcontact/group_welcome_template/add"])},
                   "notify": 1}
        return self._add("externalcontact/group_welcome_template/add", payload, kind="sync")

    # --- staff -----------------------------------------------------------------------------

    def app_text(self, agent_id: int, touser: str, text: str, *, kind: str = "notice") -> OutboxItem:
        payload = {"touser": touser, "msgtype": "text", "agentid": agent_id,
                   "text": {"content": fit_bytes(text, TEXT_LIMITS["message/send"])}}
        item = self._add("message/send", payload, kind=kind)
        self._record(item, channel="app", text=text, staff_userid=touser, kind=kind)
        return item

    def app_markdown(self, agent_id: int, touser: str, markdown: str, *, kind: str = "notice") -> OutboxItem:
        payload = {"touser": touser, "msgtype": "markdown", "agentid": agent_id,
                   "markdown": {"content": fit_bytes(markdown, TEXT_LIMITS["message/send"])}}
        item = self._add("message/send", payload, kind=kind)
        self._record(item, channel="app", text=markdown, staff_userid=touser, kind=kind)
        return item

    def webhook_markdown(self, markdown: str) -> OutboxItem:
        """A post to the group robot. Its key is a secret: it stays in the config (wecom.webhook_key)
        and the client puts it into the URL at send time, never into the outbox row."""
        payload: dict[str, Any] = {"msgtype": "markdown",
                                   "markdown": {"content": fit_bytes(markdown, TEXT_LIMITS["webhook/markdown"])}}
        item = self._add("webhook/send", payload, kind="notice")
        self._record(item, channel="webhook", text=markdown, kind="notice")
        return item

    # --- kf session handoff and mass-message tasks ------------------------------------

    def kf_transfer(self, open_kfid: str, customer: Customer, *, state: int, servicer_userid: str = "",
                    notice: str = "", template_key: str = "") -> OutboxItem:
        """Move the customer's kf session (kf/service_state/trans, kf.md §6): 2 = to the reception
        pool, 3 = to a named human servicer, 4 = end it.

        The first move to 2 or 3 answers with a msg_code for one text (48 h, while the session stays
        there); ending answers with one for a goodbye within 20 s (kf.md §5). The persona's `notice`
        rides along under "_then" (never sent to WeCom); the escalation feature's follow-up queues it
        with that code in the transaction that marks this row sent. So the customer hears "X is
        coming" or "goodbye" only once WeCom accepted the move, and never when it refused."""
        payload: dict[str, Any] = {"open_kfid": open_kfid, "external_userid": customer.external_userid,
                                   "service_state": state}
        if state == 3:
            payload["servicer_userid"] = servicer_userid
        if notice:
            ttl = 19 if state == 4 else NOTICE_TTL_S
            payload["_then"] = {"api": "kf/send_msg_on_event", "code_from": "msg_code", "ttl_s": ttl,
                                "text": notice, "template_key": template_key}
        return self._add("kf/service_state/trans", payload, kind="sync", customer=customer)

    # --- community operations -----------------------------------------------------
    # Customer-group posts and 「联系我」 configs are proposals/reads whose answer matters later:
    # the row's `result` keeps WeCom's answer and bot.followups acts on it after delivery.

    def group_msg_template(self, sender: str, chat_ids: list[str], text: str, *,
                           attachments: list[dict[str, Any]] | None = None, kind: str = "topic",
                           template_key: str = "") -> OutboxItem:
        """Propose a post to customer groups (add_msg_template, chat_type group); the owner confirms it
        in the WeCom client before anything is sent (customer-contact.md §10)."""
        content = fit_bytes(text, TEXT_LIMITS["externalcontact/add_msg_template"])
        payload: dict[str, Any] = {"chat_type": "group", "sender": sender, "chat_id_list": list(chat_ids)[:2000],
                                   "text": {"content": content}}
        if attachments:
            payload["attachments"] = attachments[:9]
        item = self._add("externalcontact/add_msg_template", payload, kind=kind)
        self._record(item, channel="group", text=text, staff_userid=sender, kind=kind, template_key=template_key)
        return item

    def groupmsg_send_result(self, msgid: str, userid: str, *, cursor: str = "") -> OutboxItem:
        """Read back who received a proposed mass message (doc 93338); the result lands on the row."""
        payload = {"msgid": msgid, "userid": userid, "limit": 1000, "cursor": cursor}
        return self._add("externalcontact/get_groupmsg_send_result", payload, kind="sync")

    def add_contact_way(self, userid: str, state: str, *, remark: str = "",
                        customer: Customer | None = None) -> OutboxItem:
        """A single-member 「联系我」 QR code whose `state` (≤30 chars) comes back in add events (doc 92228)."""
        # remark and state: at most 30 characters each (doc 92228)
        payload = {"type": 1, "scene": 2, "remark": remark[:30], "skip_verify": True, "state": state[:30],
                   "user": [userid]}
        return self._add("externalcontact/add_contact_way", payload, kind="sync", customer=customer)

    def groupchat_get(self, chat_id: str, *, due_at: datetime | None = None) -> OutboxItem:
        """Name, owner and members of a customer group (doc 92122)."""
        return self._add("externalcontact/groupchat/get", {"chat_id": chat_id, "need_name": 1}, kind="sync",
                        due_at=due_at)

    def groupchat_list(self, *, cursor: str = "", limit: int = 1000) -> OutboxItem:
        """One page of the corp's customer groups (doc 92120); status_filter 0 = all."""
        return self._add("externalcontact/groupchat/list", {"status_filter": 0, "cursor": cursor, "limit": limit},
                        kind="sync")
