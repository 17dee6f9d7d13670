"""Every metric of the daily digest, tracked or waiting for its source, in one list.

A pending slot names the table that will feed it. To fill one, write its compute function
(see digest/metrics.py) and swap `pending=...` for `compute=...` here; the markdown, the
terminal, the console and the charts pick it up with no other change. Keys are stable: the
console charts and `/digest` refer to them.
"""

from __future__ import annotations

from handlers.digest.contacts import GROWTH, RETENTION
from handlers.digest.conversations import CONVERSATIONS, KEYWORD_PROVIDER
from handlers.digest.metrics import Metric, Provider, Registry
from handlers.digest.outreach import OUTREACH, TAGS

ISSUE_3 = "issue 3（人设问答 / 标签规则 / 频控）"
ISSUE_4 = "issue 4（打卡活动 / 积分 / 推荐 / 话题）"
ISSUE_5 = "issue 5（人工升级工单 / SLA）"

# --- slots whose source tables arrive with other features ------------------------------------

UNANSWERED = Provider("unanswered", (
    Metric("service.unanswered", "未回答问题", "service", priority=2, better=-1,
           note="source: unanswered_question.created_at"),
    Metric("service.top_questions", "热门问题", "service", kind="breakdown", priority=3,
           note="source: unanswered_question.text + FAQ hits"),
), pending=ISSUE_3)

STAGES = Provider("stages", (
    Metric("conversion.stage_transitions", "阶段变化", "conversion", priority=3, better=0,
           note="source: stage_entry.entered_at, by stage"),
), pending=ISSUE_3)

SUPPRESSED = Provider("suppressed", (
    Metric("outreach.pushes_suppressed", "频控拦截推送", "outreach", priority=3, better=0,
           note="source: suppressed_push.created_at, by reason"),
), pending=ISSUE_3)

CAMPAIGNS = Provider("campaigns", (
    Metric("activity.checkin_rate", "打卡率", "activity", kind="rate", priority=2,
           note="source: check-in records ÷ participants of running campaigns"),
    Metric("activity.checkin_by_campaign", "各活动打卡率", "activity", kind="rate_breakdown", priority=3,
           note="source: check-in records per campaign"),
    Metric("activity.topics", "热门话题", "activity", kind="breakdown", priority=4, note="source: topic posts"),
), pending=ISSUE_4)

VALUE = Provider("points", (
    Metric("value.points_issued", "发放积分", "value", priority=3, better=0, note="source: points ledger (credits)"),
    Metric("conversion.referrals", "推荐新客", "conversion", priority=3, note="source: referral records"),
), pending=ISSUE_4)

ESCALATIONS = Provider("escalations", (
    Metric("service.escalations_opened", "新建工单", "service", priority=2, better=0, note="source: ticket.created_at"),
    Metric("service.escalations_resolved", "解决工单", "service", priority=2, note="source: ticket.resolved_at"),
    Metric("service.first_response_median", "首次响应中位数", "service", kind="seconds", priority=2, better=-1,
           note="source: ticket first staff reply − created_at"),
    Metric("service.first_response_p90", "首次响应 P90", "service", kind="seconds", priority=3, better=-1,
           note="source: ticket first staff reply − created_at"),
    Metric("service.sla_breaches", "SLA 超时", "service", priority=2, better=-1, note="source: ticket SLA deadline"),
), pending=ISSUE_5)


def default_registry() -> Registry:
    """The shipped digest: tracked providers first, pending slots where their numbers will go."""
    return Registry((GROWTH, CONVERSATIONS, CAMPAIGNS, KEYWORD_PROVIDER, RETENTION, TAGS, STAGES, VALUE,
                     UNANSWERED, ESCALATIONS, OUTREACH, SUPPRESSED))
