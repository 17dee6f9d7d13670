"""KOC scores: who brings friends, keeps streaks, buys and talks, in the last `[koc] window_days`.

score = invites × weight_invites + longest check-in streak (days) × weight_streak
      + paid orders × weight_purchases + min(messages, messages_cap) × weight_messages
      + customer groups they are in × weight_groups

Each part is an SQL aggregate per customer (storage/repos/insights.py). Customers who left are
not ranked.
`/koc tag` gives the top ones the configured tag (mirrored to WeCom) and, with `[koc] advisor`,
makes that member the advisor of those who have none: their questions then go to that person
first (escalation routing), which is the 1:1 care Wanzi can honestly deliver; the member is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.errors import CommandError
from bot.wecom.markdown import plain
from handlers.escalation.routing import colleague
from handlers.insights.config import KocConfig
from handlers.insights.purchases import paid_orders
from handlers.insights.text import fit_lines
from handlers.services import Ctx
from handlers.staff.lookup import find_staff
from handlers.tagging.service import apply_tags
from storage.models import Customer, Staff
from storage.repos.insights import KocRepo


@dataclass(frozen=True, slots=True)
class Activity:
    """What one customer did in the window: the amounts a KOC score is made of."""

    invites: int = 0
    streak: int = 0
    purchases: int = 0
    messages: int = 0
    groups: int = 0

    def parts(self, cfg: KocConfig) -> list[tuple[str, float]]:
        """(what, points) of the parts that count, biggest first: the "why" of the score."""
        counted = min(self.messages, cfg.messages_cap)
        parts = [(f"邀请 {self.invites} 人", self.invites * cfg.weight_invites),
                 (f"连续打卡 {self.streak} 天", self.streak * cfg.weight_streak),
                 (f"购买 {self.purchases} 单", self.purchases * cfg.weight_purchases),
                 (f"发言 {self.messages} 条" + (f"（计 {counted} 条）" if counted < self.messages else ""),
                  counted * cfg.weight_messages),
                 (f"在 {self.groups} 个群", self.groups * cfg.weight_groups)]
        return sorted([p for p in parts if p[1] > 0], key=lambda p: -p[1])

    def score(self, cfg: KocConfig) -> float:
        counted = min(self.messages, cfg.messages_cap)
        return (self.invites * cfg.weight_invites + self.streak * cfg.weight_streak
                + self.purchases * cfg.weight_purchases + counted * cfg.weight_messages
                + self.groups * cfg.weight_groups)

    def why(self, cfg: KocConfig) -> str:
        return " · ".join(f"{what} +{fmt(points)}" for what, points in self.parts(cfg)) or "无"


@dataclass(frozen=True, slots=True)
class KocScore:
    customer: Customer
    activity: Activity

    def score(self, cfg: KocConfig) -> float:
        return self.activity.score(cfg)

    def why(self, cfg: KocConfig) -> str:
        return self.activity.why(cfg)


def fmt(points: float) -> str:
    return f"{points:.0f}" if abs(points - round(points)) < 0.05 else f"{points:.1f}"


async def koc_scores(ctx: Ctx, *, limit: int) -> list[KocScore]:
    """The top `limit` customers by KOC score (score > 0), best first; ties by who came first."""
    cfg = ctx.settings.of(KocConfig)
    now = ctx.clock.now()
    since = now - timedelta(days=cfg.window_days)
    repo = KocRepo(ctx.session)
    invites = await repo.converted_invites(since)
    streaks = await repo.longest_streaks(ctx.local_now.date() - timedelta(days=cfg.window_days))
    purchases = await paid_orders(ctx.session, since)
    messages = await repo.messages(since)
    groups = await repo.groups()
    gone = await repo.not_active()
    # Rank plain numbers first and load only the customers shown: a busy corp has tens of thousands
    # of customers with a message in the window.
    candidates = [(cid, Activity(invites.get(cid, 0), streaks.get(cid, 0), purchases.get(cid, 0),
                                 messages.get(cid, 0), groups.get(cid, 0)))
                  for cid in set(invites) | set(streaks) | set(purchases) | set(messages) | set(groups)
                  if cid not in gone]
    scored = [(points, cid, activity) for cid, activity in candidates if (points := activity.score(cfg)) > 0]
    top = sorted(scored, key=lambda row: (-row[0], row[1]))[:limit]
    customers = {c.id: c for c in await repo.customers([cid for _, cid, _ in top])}
    return [KocScore(customers[cid], activity) for _, cid, activity in top if cid in customers]


def who(customer: Customer) -> str:
    return plain(customer.name or customer.remark or customer.external_userid, 40)


def formula(cfg: KocConfig) -> str:
    return (f"近 {cfg.window_days} 天：邀请×{fmt(cfg.weight_invites)} + 最长连续打卡天数×{fmt(cfg.weight_streak)}"
            f" + 购买×{fmt(cfg.weight_purchases)} + 发言×{fmt(cfg.weight_messages)}（最多 {cfg.messages_cap} 条）"
            f" + 在群数×{fmt(cfg.weight_groups)}")


def koc_list_text(cfg: KocConfig, ranked: list[KocScore]) -> str:
    if not ranked:
        return f"还没有 KOC 候选（{formula(cfg)}）。"
    return fit_lines(f"KOC 排行（{formula(cfg)}）：",
                     [f"{i}. {who(s.customer)} {fmt(s.score(cfg))} 分：{s.why(cfg)}" for i, s in enumerate(ranked, 1)],
                     f"/koc tag [N] 给前 N 位中 ≥{fmt(cfg.min_score)} 分的客户打上「{cfg.tag_ref.name}」")


@dataclass(frozen=True, slots=True)
class Care:
    tagged: list[Customer]
    assigned: list[Customer]
    advisor: str = ""  # as colleagues know them: 李娜（li.na）
    unavailable: str = ""  # why the configured advisor got nobody: who they are and what to do


async def _koc_advisor(ctx: Ctx, userid: str) -> tuple[Staff | None, str]:
    """The member `[koc] advisor` names, or None and why nobody can be handed KOCs (left the staff, never
    listed): said to the operator with the colleague's name and what an admin changes, never a config error."""
    if not userid:
        return None, ""
    try:
        member = await find_staff(ctx, userid, include_inactive=True)
    except CommandError:
        member = None
    if member is not None and member.active:
        return member, ""
    others = "、".join(colleague(s) for s in await ctx.repos.staff.list()) or "（还没有登记的员工）"
    who_ = (f"{colleague(member)}已停用（不在员工名单里）" if member is not None
            else f"「{plain(userid, 40)}」不在员工名单里")
    return None, (f"配置的 KOC 专属顾问 {who_}，这次没有分配顾问。请管理员把 [koc] advisor 改成在职的同事"
                  f"（{others}）后重启，再发 /koc tag 就会补上")


async def tag_top_kocs(ctx: Ctx, n: int, *, actor: str) -> Care:
    """Tag the top `n` customers scoring at least `min_score` and route them to 1:1 care (module doc).
    A configured advisor who left the staff gets nobody: the tags still go on, and the answer says so."""
    cfg = ctx.settings.of(KocConfig)
    advisor, unavailable = await _koc_advisor(ctx, cfg.advisor)
    chosen = [s for s in await koc_scores(ctx, limit=n) if s.score(cfg) >= cfg.min_score]
    if not chosen:
        raise CommandError(f"前 {n} 位中没有达到 {fmt(cfg.min_score)} 分的客户，没有打标签。")
    tagged, assigned = [], []
    for s in chosen:
        added, _ = await apply_tags(ctx, s.customer, add=(cfg.tag_ref,), source=f"koc:{actor}")
        if added:
            tagged.append(s.customer)
        if advisor is not None and not s.customer.advisor_userid:
            s.customer.advisor_userid = advisor.userid
            assigned.append(s.customer)
    ctx.repos.audit.record(actor=actor, action="koc_tagged", target=cfg.tag,
                           detail={"tagged": [c.external_userid for c in tagged],
                                   "assigned": [c.external_userid for c in assigned],
                                   "advisor": advisor.userid if advisor else ""}, now=ctx.clock.now())
    if advisor is not None and assigned:
        names = "、".join(who(c) for c in assigned)
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, advisor.userid,
                            f"这些客户被识别为 KOC，今后由你 1:1 跟进（专属顾问）：{names}。"
                            "发送 /whois <客户> 查看资料。")
    return Care(tagged, assigned, colleague(advisor) if advisor else "", unavailable)


def care_text(cfg: KocConfig, care: Care) -> str:
    parts = [f"已给 {len(care.tagged)} 位客户打上「{cfg.tag_ref.name}」" + (
        f"：{'、'.join(who(c) for c in care.tagged)}" if care.tagged else "（都已有这个标签）")]
    if care.assigned:
        parts.append(f"{len(care.assigned)} 位交给专属顾问 {care.advisor} 1:1 跟进（已通知）")
    elif care.unavailable:
        parts.append(care.unavailable)
    elif not care.advisor:
        parts.append("没有配置 KOC 专属顾问，这次没有分配顾问"
                     "（管理员可在配置 [koc] advisor 填一位同事，之后再发 /koc tag 就会补上）")
    return "；".join(parts) + "。"
