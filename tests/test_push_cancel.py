"""A push that waits (quiet hours, caps) is re-checked when it is due: opting out or leaving
in between cancels it, and the digest sees why."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.outbox import Outbox
from storage.models import OutboxItem, SuppressedPush
from storage.repos import CustomerRepo


async def test_a_deferred_push_is_cancelled_after_the_customer_opts_out(wanzi, wecom, clock) -> None:
    await wecom.customer_says("wmLater01", "你好")
    await wanzi.drain()
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find("wmLater01")
        Outbox(s, clock).kf_send("wkWanziDemoKf01", customer, "周末福利来啦～", kind="push",
                                 due_at=clock.now() + timedelta(hours=1))
    await wecom.customer_says("wmLater01", "退订")
    await wanzi.drain()
    answers_before = len(wecom.customer_inbox("wmLater01"))
    clock.advance(2 * 3600)
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmLater01")) == answers_before  # the push never left
    assert "周末福利来啦～" not in wecom.customer_inbox("wmLater01")
    async with wanzi.sessions() as s:
        push = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push"))).one()
        suppressed = (await s.scalars(select(SuppressedPush))).all()
    assert push.status == "cancelled" and "opted_out" in push.last_error
    assert [r.reason for r in suppressed] == ["opted_out"]


async def test_a_deferred_push_still_goes_to_a_subscribed_customer(wanzi, wecom, clock) -> None:
    await wecom.customer_says("wmLater02", "你好")
    await wanzi.drain()
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find("wmLater02")
        Outbox(s, clock).kf_send("wkWanziDemoKf01", customer, "周末福利来啦～", kind="push",
                                 due_at=clock.now() + timedelta(hours=1))
    clock.advance(2 * 3600)
    await wanzi.drain()
    assert wecom.customer_inbox("wmLater02")[-1] == "周末福利来啦～"
