"""The KOC score: weighted counts over the last `[koc] days` of invitations that converted (friends
who stayed), check-ins, paid orders and messages the customer wrote (capped, so chattiness alone
does not make a KOC). Each score keeps its parts, so staff see why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers.koc.config import KocConfig
from handlers.services import Ctx
from storage.models import Customer
from storage.repos.koc import KocRepo

LABELS = (("invites", "邀请"), ("checkins", "打卡"), ("orders", "订单"), ("messages", "发言"))


@dataclass(frozen=True, slots=True)
class KocScore:
    customer: Customer
    score: float
    parts: dict[str, int]  # kind → count

    def why(self) -> str:
        return " · ".join(f"{label} {self.parts[kind]}" for kind, label in LABELS if self.parts.get(kind))


def weigh(config: KocConfig, parts: dict[str, int]) -> float:
    return (config.invite_weight * parts.get("invites", 0) + config.checkin_weight * parts.get("checkins", 0)
            + config.order_weight * parts.get("orders", 0)
            + config.message_weight * min(parts.get("messages", 0), config.message_cap))


async def top_kocs(ctx: Ctx, n: int) -> list[KocScore]:
    """The `n` active customers with the highest score (ties: the earlier customer first)."""
    config = ctx.settings.of(KocConfig)
    repo = KocRepo(ctx.session)
    activity = await repo.activity(ctx.clock.now() - timedelta(days=config.days))
    parts: dict[int, dict[str, int]] = {}
    for kind, counts in activity.items():
        for customer_id, count in counts.items():
            parts.setdefault(customer_id, {})[kind] = count
    ranked = sorted(((weigh(config, p), cid) for cid, p in parts.items()), key=lambda sc: (-sc[0], sc[1]))
    ranked = [(score, cid) for score, cid in ranked if score > 0]
    customers = await repo.active_customers([cid for _, cid in ranked[:n * 2 + 10]])
    out = [KocScore(customers[cid], round(score, 1), parts[cid]) for score, cid in ranked if cid in customers]
    return out[:n]
