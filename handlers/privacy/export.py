"""Exporting everything Wanzi stores about one customer (PIPL art. 45), as one JSON document.

Other people stay out of it: a referral lists how many friends the customer brought and when,
not who they are; a shared mass message shows its text, not its other recipients.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Checkin,
    CheckinReminder,
    CommunityReward,
    Customer,
    CustomerNote,
    FaqOffer,
    Friendship,
    MemberFacts,
    OutboxItem,
    PointsEntry,
    Redemption,
    RuleHit,
    ShopOrder,
    StageEntry,
    Suggestion,
    SuppressedPush,
    Ticket,
    UnansweredQuestion,
)
from storage.repos.privacy import PrivacyRepo

FORMAT = "wanzi.customer-export/1"
PROFILE = ("id", "external_userid", "name", "remark", "channel", "owner_userid", "advisor_userid", "stage", "level",
           "is_vip", "opted_out", "status", "lost_at", "lost_by", "first_seen_at", "last_seen_at", "last_inbound_at")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _fields(row: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names}


def _outbox_text(item: OutboxItem) -> str:
    payload = item.payload or {}
    for kind in ("text", "markdown"):
        body = payload.get(kind)
        if isinstance(body, dict) and isinstance(body.get("content"), str):
            return str(body["content"])
    return ""


async def export_customer(session: AsyncSession, customer: Customer, *, now: datetime) -> dict[str, Any]:
    """Everything about the customer, section by section (each a list, oldest first)."""
    repo = PrivacyRepo(session)
    cid = customer.id
    tickets: list[Ticket] = await repo.owned(Ticket, cid)
    participations = await repo.checkin_participations(cid)
    checkins: list[Checkin] = await repo.owned(Checkin, cid)
    reminders: list[CheckinReminder] = await repo.owned(CheckinReminder, cid)
    keys = await repo.campaign_keys([c.campaign_id for c in checkins] + [r.campaign_id for r in reminders])
    points: list[PointsEntry] = await repo.owned(PointsEntry, cid)
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "profile": _fields(customer, PROFILE),
        "tags": [{"group": g, "name": n, "source": s, "added_at": _plain(at)} for g, n, s, at in await repo.tags(cid)],
        "messages": [_fields(m, ("created_at", "direction", "channel", "kind", "text", "staff_userid"))
                     for m in await repo.messages(cid)],
        "tickets": [_fields(t, ("id", "created_at", "channel", "reason", "question", "context", "level", "status",
                                "advisor_userid", "assigned_at", "first_response_at", "resolved_at", "resolved_by",
                                "note")) for t in tickets],
        "points": {"balance": sum(p.delta for p in points),
                   "ledger": [_fields(p, ("created_at", "delta", "reason", "source")) for p in points]},
        "checkin": {
            "participations": [{"campaign": c.key, "campaign_name": c.name, "joined_at": _plain(p.joined_at),
                                "makeups_used": p.makeups_used} for p, c in participations],
            "checkins": [{"campaign": keys.get(c.campaign_id, ""), **_fields(c, ("day", "day_index", "kind", "content",
                                                                                 "has_photo", "created_at"))}
                         for c in checkins],
            "reminders": [{"campaign": keys.get(r.campaign_id, ""), "day": _plain(r.day),
                           "created_at": _plain(r.created_at)} for r in reminders],
        },
        "rewards": [_fields(r, ("created_at", "kind", "detail")) for r in await repo.owned(CommunityReward, cid)],
        "orders": [_fields(o, ("order_id", "paid_at", "channel", "amount_fen", "items", "status", "refunded_at",
                               "points", "birthday")) for o in await repo.owned(ShopOrder, cid)],
        "redemptions": [_fields(r, ("created_at", "cost", "status", "ordered_at", "shipped_at", "address_status",
                                    "ship_name", "ship_phone", "ship_address", "address_confirmed_at"))
                        for r in await repo.owned(Redemption, cid)],
        "member": [_fields(m, ("birthday", "birthday_source")) for m in [await session.get(MemberFacts, cid)] if m],
        "referral": {
            "participations": [{"campaign": c.key, "campaign_name": c.name, "joined_at": _plain(p.joined_at),
                                "qr_code": p.qr_code, "status": p.way_status,
                                "invites": [_fields(i, ("added_at", "status", "left_at")) for i in invites]}
                               for p, c, invites in await repo.referral_participations(cid)],
            "invited": [{"campaign": c.key, "campaign_name": c.name, **_fields(i, ("added_at", "status", "left_at"))}
                        for i, c in await repo.invited(cid)],
        },
        "pushes": {
            "outbox": [{"text": _outbox_text(o), **_fields(o, ("created_at", "api", "kind", "status", "due_at",
                                                                "sent_at"))}
                       for o in await repo.outbox_to(customer)],
            "suppressed": [_fields(s, ("created_at", "template_key", "reason"))
                           for s in await repo.owned(SuppressedPush, cid)],
        },
        "unanswered_questions": [_fields(q, ("created_at", "text", "status", "best_faq", "answer", "answered_at"))
                                 for q in await repo.owned(UnansweredQuestion, cid)],
        "suggestions": [_fields(x, ("created_at", "text")) for x in await repo.owned(Suggestion, cid)],
        "faq_offers": [_fields(o, ("offered_at", "question", "options", "status", "settled_at"))
                       for o in await repo.owned(FaqOffer, cid)],  # 猜你想问
        "notes": [_fields(n, ("created_at", "staff_userid", "text")) for n in await repo.owned(CustomerNote, cid)],
        "friendships": [_fields(f, ("userid", "added_at", "ended_at")) for f in await repo.owned(Friendship, cid)],
        "stages": [_fields(s, ("entered_at", "stage", "source", "push")) for s in await repo.owned(StageEntry, cid)],
        "rule_hits": [_fields(h, ("created_at", "rule")) for h in await repo.owned(RuleHit, cid)],
        "groups": [{"chat_id": g.chat_id, "group_name": g.name, "joined_at": _plain(m.joined_at),
                    "left_at": _plain(m.left_at), "join_scene": m.join_scene}
                   for m, g in await repo.memberships(customer.external_userid)],
        "audit": [_fields(a, ("created_at", "actor", "action", "target", "detail"))
                  for a in await repo.audit_about(customer, [t.id for t in tickets])],
    }


def summary(data: dict[str, Any]) -> str:
    """How much there is, in one line for staff (no content)."""
    parts = [("消息", len(data["messages"])), ("标签", len(data["tags"])), ("工单", len(data["tickets"])),
             ("积分记录", len(data["points"]["ledger"])), ("打卡", len(data["checkin"]["checkins"])),
             # the send log: every message queued to them (replies, welcomes) and the pushes held back
             ("发送记录", len(data["pushes"]["outbox"]) + len(data["pushes"]["suppressed"])),
             ("未回答问题", len(data["unanswered_questions"])), ("群", len(data["groups"])),
             ("审计记录", len(data["audit"]))]
    return "、".join(f"{label} {n}" for label, n in parts)
