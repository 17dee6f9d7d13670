"""Tagging from chat, lifecycle stages, and reading staff tag changes back from WeCom.

"Tag the user, match the stage, push the preset content": a customer message runs through the
rule book; rules add or remove local tags (the source of truth, mirrored to WeCom corp tags by
bot/tagsync.py); tags and rules imply a lifecycle stage; entering a stage pushes that stage's
content once, through the anti-spam gate, when the chat has gone quiet (pushes.py). The chat and
greeting handlers call these functions; this module's router only handles the read-back events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from handlers.greeting.config import ChannelConfig
from handlers.services import Ctx
from handlers.tagging.config import TaggingConfig
from handlers.tagging.pushes import hold_push, push_stage_content, quiet_for
from persona.matcher import speaks_of_skin
from persona.rules import TagRef, TagRule
from storage.models import Customer, StageEntry, Tag

STAGE_GROUP = "阶段"  # the corp tag group holding each customer's one stage tag
VIP_GROUP = "VIP"


@dataclass(frozen=True, slots=True)
class Observation:
    """What one message told us: rules it hit, rules whose conditions it completed, tags, stage."""

    matched: tuple[TagRule, ...] = ()
    fired: tuple[TagRule, ...] = ()
    stage: str = ""

    @property
    def tag_names(self) -> str:
        """The tags the message told us, as the persona may say them back ("干皮"): a private rule's
        staff-side label ("询价", "高意向") is tagged but never named to the customer."""
        names = dict.fromkeys(ref.name for rule in self.fired if not rule.private for ref in rule.add)
        return "、".join(names)


def _ref(tag: Tag) -> str:
    return f"{tag.group_name}:{tag.name}"


def mirror_tags(ctx: Ctx, customer: Customer, *, added: Sequence[Tag] = (), removed: Sequence[Tag] = ()) -> None:
    """Queue the WeCom mirror steps for tags just added to or removed from a customer (the tag
    mirror creates missing corp tags, then marks them). mark_tag needs the staff member who owns
    the contact; kf-only customers stay local."""
    if not ctx.settings.of(TaggingConfig).mirror or not customer.owner_userid:
        return
    now = ctx.clock.now()
    for op, tags in (("add", added), ("remove", removed)):
        for tag in tags:
            ctx.repos.tag_sync.add(op, customer_id=customer.id, tag_id=tag.id, now=now)


async def apply_tags(ctx: Ctx, customer: Customer, *, add: Sequence[TagRef] = (),
                     remove: Sequence[TagRef] = (), source: str) -> tuple[list[Tag], list[Tag]]:
    """Change a customer's local tags and queue the WeCom mirror steps; returns (added, removed)."""
    now = ctx.clock.now()
    added, removed = [], []
    for ref in add:
        tag = await ctx.repos.tags.ensure(ref.group, ref.name, now=now)
        if await ctx.repos.tags.attach(customer.id, tag, source=source[:32], now=now):
            added.append(tag)
    for ref in remove:
        found = await ctx.repos.tags.find(ref.group, ref.name)
        if found is not None and await ctx.repos.tags.detach(customer.id, found):
            removed.append(found)
    if any(t.group_name == VIP_GROUP for t in added + removed):
        customer.is_vip = any(t.group_name == VIP_GROUP for t in await ctx.repos.tags.of_customer(customer.id))
    mirror_tags(ctx, customer, added=added, removed=removed)
    if added or removed:
        ctx.repos.audit.record(actor=source[:64], action="tags_changed", target=customer.external_userid,
                               detail={"added": [_ref(t) for t in added], "removed": [_ref(t) for t in removed]},
                               now=now)
    return added, removed


async def observe_message(ctx: Ctx, customer: Customer, text: str) -> Observation:
    """Run the rule book over a customer's message and apply what fires."""
    if not text:
        return Observation()
    now = ctx.clock.now()
    # a skincare rule ("过敏" → 肤质:敏感肌) only in a shop whose knowledge base speaks of skin, never in a bakery
    matched = ctx.services.rules.matching(text, customer.channel,
                                          skin=ctx.services.knowledge.derived(speaks_of_skin))
    fired = []
    for rule in matched:
        ctx.repos.rule_hits.add(customer.id, rule.name, now=now)
        if rule.min_mentions > 1:
            since = now - timedelta(days=rule.within_days)
            if await ctx.repos.rule_hits.count(customer.id, rule.name, since=since) < rule.min_mentions:
                continue
        fired.append(rule)
    for rule in fired:
        await apply_tags(ctx, customer, add=rule.add, remove=rule.remove, source=f"rule:{rule.name}")
    candidates = [ctx.persona.stages[r.stage] for r in fired if r.stage]
    have = {_ref(t) for t in await ctx.repos.tags.of_customer(customer.id)}
    implied = ctx.persona.stage_of_tags(have)
    if implied is not None:
        candidates.append(implied)
    best = max(candidates, key=lambda s: s.rank, default=None)
    return Observation(matched=tuple(matched), fired=tuple(fired), stage=best.name if best else "")


async def enter_stage(ctx: Ctx, customer: Customer, name: str, *, source: str, push: bool,
                      open_kfid: str = "") -> StageEntry | None:
    """Move a customer forward to a stage, swap the stage tag, push the stage's content once (after
    the chat has gone quiet)."""
    stages = ctx.persona.stages
    stage = stages[name]
    current = stages.get(customer.stage)
    if current is not None and current.rank >= stage.rank:
        return None
    if await ctx.repos.stages.find(customer.id, name) is not None:
        customer.stage = name  # been here before (the persona's ranks changed): no second push
        return None
    entry = await ctx.repos.stages.add(customer.id, name, source=source, now=ctx.clock.now())
    customer.stage = name
    others = [TagRef(STAGE_GROUP, s.label) for s in stages.values() if s.name != name]
    await apply_tags(ctx, customer, add=[TagRef(STAGE_GROUP, stage.label)], remove=others, source=source)
    if not push:
        entry.push = "welcome"  # entered on arrival: the welcome is this stage's first touch
    elif ctx.persona.has(f"stage.{name}"):
        if quiet_for(ctx):  # entered mid-chat: the content waits for a quiet chat (pushes.py)
            hold_push(ctx, entry, open_kfid=open_kfid)
        else:
            entry.open_kfid = open_kfid[:64]
            await push_stage_content(ctx, customer, entry)
    return entry


async def apply_channel(ctx: Ctx, customer: Customer, state: str) -> None:
    """A new customer of a configured channel: its tags, advisor and starting stage."""
    channel = ctx.settings.tables(ChannelConfig).get(state)
    if channel is None:
        return
    source = f"channel:{state}"
    refs = [TagRef.parse(t, source="config", key=f"channels.{state}.tags") for t in channel.tags]
    await apply_tags(ctx, customer, add=refs, source=source)
    if channel.advisor and not customer.advisor_userid:
        customer.advisor_userid = channel.advisor
    if channel.stage:
        await enter_stage(ctx, customer, channel.stage, source=source, push=False)


