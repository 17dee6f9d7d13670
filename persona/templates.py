"""The template keys Wanzi renders and the facts each may use; persona files are linted against it."""

from __future__ import annotations

COMMON = frozenset({"persona", "brand", "address", "signoff"})

# key -> facts the code supplies when rendering it
TEMPLATE_FACTS: dict[str, frozenset[str]] = {
    "greeting.new_friend": frozenset({"name", "staff", "channel"}),
    "greeting.kf_welcome": frozenset({"name", "scene"}),
    "reply.fallback": frozenset({"name"}),
    "reply.faq": frozenset({"name", "answer"}),
    "reply.opt_out": frozenset({"name"}),
    "reply.opt_in": frozenset({"name"}),
    "staff.help": frozenset({"staff", "commands"}),
    "staff.unknown_command": frozenset({"staff", "command"}),
    "staff.not_allowed": frozenset({"staff", "command", "role"}),
}

# --- community operations (issue 4): topics, check-ins, points, referrals -----------------------
_CAMPAIGN = frozenset({"name", "campaign", "days", "window", "keyword"})
TEMPLATE_FACTS.update({
    "community.topic_post": frozenset({"topic", "group", "link_title"}),
    "community.topic_owner_reminder": frozenset({"staff", "group", "count", "chats", "topic"}),
    "checkin.ok": _CAMPAIGN | {"day", "streak", "total", "rank_today", "points"},
    "checkin.duplicate": _CAMPAIGN | {"streak", "total", "rank_today"},
    "checkin.too_early": _CAMPAIGN,
    "checkin.late": _CAMPAIGN,
    "checkin.not_started": _CAMPAIGN | {"start"},
    "checkin.ended": _CAMPAIGN | {"total"},
    "checkin.not_eligible": _CAMPAIGN,
    "checkin.need_content": _CAMPAIGN,
    "checkin.makeup_ok": _CAMPAIGN | {"date", "left", "streak", "total", "points"},
    "checkin.makeup_none": _CAMPAIGN,
    "checkin.makeup_used_up": _CAMPAIGN | {"limit"},
    "checkin.which": frozenset({"name", "campaigns", "keyword"}),
    "checkin.no_campaign": frozenset({"name"}),
    "checkin.milestone": frozenset({"name", "campaign", "milestone", "total", "rewards"}),
    "checkin.reminder": _CAMPAIGN | {"day", "streak"},
    "points.balance": frozenset({"name", "points", "level", "rights", "next_level", "to_next"}),
    "points.balance_top": frozenset({"name", "points", "level", "rights"}),
    "points.balance_plain": frozenset({"name", "points"}),
    "points.level_up": frozenset({"name", "level", "rights", "points"}),
    "referral.joined": frozenset({"name", "campaign", "tiers"}),
    "referral.link": frozenset({"name", "campaign", "tiers", "qr_code"}),
    "referral.progress": frozenset({"name", "campaign", "count", "next_gift", "to_next"}),
    "referral.first_friend": frozenset({"name", "campaign", "count", "next_gift", "to_next"}),
    "referral.progress_done": frozenset({"name", "campaign", "count"}),
    "referral.tier_reached": frozenset({"name", "campaign", "count", "gift", "tier"}),
    "referral.no_campaign": frozenset({"name"}),
    "referral.unavailable": frozenset({"name"}),
    "referral.staff_winner": frozenset({"staff", "campaign", "customer", "count", "gift", "tier"}),
})
