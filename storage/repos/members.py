"""Member facts (birthday, rights already delivered), the rewards catalogue and redemptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, MemberFacts, Redemption, Reward


class MemberRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facts(self, customer_id: int) -> MemberFacts:
        """The customer's member facts, created empty on first use."""
        row = await self.session.get(MemberFacts, customer_id)
        if row is None:
            row = MemberFacts(customer_id=customer_id, birthday="", birthday_source="", birthday_year=0,
                              gift_month="", expiry_month="", reviewed_year=0)
            self.session.add(row)
            await self.session.flush()
        return row

    async def find_facts(self, customer_id: int) -> MemberFacts | None:
        return await self.session.get(MemberFacts, customer_id)

    async def birthdays_on(self, month_day: str, *, year: int, limit: int = 500) -> list[Customer]:
        """Active customers whose birthday is `month_day` and who were not greeted in `year`."""
        stmt = (select(Customer).join(MemberFacts, MemberFacts.customer_id == Customer.id)
                .where(MemberFacts.birthday == month_day, MemberFacts.birthday_year < year,
                       Customer.status == "active")
                .order_by(Customer.id).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    async def of_levels(self, levels: tuple[str, ...], *, after_id: int = 0, limit: int = 500) -> list[Customer]:
        stmt = (select(Customer).where(Customer.level.in_(levels), Customer.status == "active", Customer.id > after_id)
                .order_by(Customer.id).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    async def with_level(self, *, after_id: int = 0, limit: int = 500) -> list[Customer]:
        stmt = (select(Customer).where(Customer.level != "", Customer.id > after_id)
                .order_by(Customer.id).limit(limit))
        return list((await self.session.scalars(stmt)).all())


class RewardRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self, *, active_only: bool = True) -> list[Reward]:
        stmt = select(Reward).order_by(Reward.cost, Reward.id)
        if active_only:
            stmt = stmt.where(Reward.active.is_(True))
        return list((await self.session.scalars(stmt)).all())

    async def find_key(self, key: str) -> Reward | None:
        return await self.session.scalar(select(Reward).where(Reward.key == key))

    async def take_one(self, reward_id: int) -> bool:
        """Take one from the stock if any is left, in one statement (its row lock serialises takers)."""
        stmt = (update(Reward).where(Reward.id == reward_id, Reward.stock > 0).values(stock=Reward.stock - 1)
                .execution_options(synchronize_session=False))
        result = await self.session.execute(stmt)
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    async def lock_customer(self, customer_id: int) -> None:
        """Hold the customer's row until commit (PostgreSQL): their redemptions queue one behind another.
        SQLite's BEGIN IMMEDIATE already serialises every writer."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())

    async def pending_of(self, customer_id: int, *, now: datetime) -> Redemption | None:
        stmt = (select(Redemption).where(Redemption.customer_id == customer_id, Redemption.status == "awaiting",
                                         Redemption.expires_at > now)
                .order_by(Redemption.id.desc()).limit(1))
        return await self.session.scalar(stmt)

    async def redemptions(self, statuses: tuple[str, ...], *,
                          limit: int = 20) -> list[tuple[Redemption, Reward, Customer]]:
        stmt = (select(Redemption, Reward, Customer).join(Reward, Reward.id == Redemption.reward_id)
                .join(Customer, Customer.id == Redemption.customer_id)
                .where(Redemption.status.in_(statuses)).order_by(Redemption.id).limit(limit))
        return list((await self.session.execute(stmt)).all())

    async def reward(self, reward_id: int) -> Reward:
        row = await self.session.get(Reward, reward_id)
        if row is None:
            raise LookupError(f"reward {reward_id} not found")
        return row

    async def redemption(self, redemption_id: int) -> Redemption | None:
        return await self.session.get(Redemption, redemption_id)

    async def count(self, status: str) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(Redemption).where(Redemption.status == status)) or 0)
