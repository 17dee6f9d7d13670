"""The config seeds the database; what the config drops is paused, what staff made is left alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import seed_features
from bot.clock import FakeClock
from bot.errors import ConfigError
from handlers import FEATURES
from handlers.topics.service import add_schedule
from storage.models import CheckinCampaign, InterestChat, ReferralCampaign, Topic, TopicSchedule
from tests.community_kit import at
from tests.harness import context_factory, make_config

MEM = "sqlite+aiosqlite:///:memory:"
GROUP = {"key": "reading", "name": "读书会", "chats": ["wrRead0001"]}
FULL: dict[str, Any] = {
    "community": {"groups": [GROUP],
                  "schedules": [{"group": "reading", "cron": "0 20 * * 1"}, {"group": "reading", "cron": "0 9 * * 6"}],
                  "topics": [{"group": "reading", "text": "本周在读"}, {"group": "reading", "text": "书单推荐"}]},
    "checkin": {"campaigns": [{"key": "read21", "name": "21天阅读", "start": "2026-03-02", "days": 21,
                               "milestones": [{"day": 7, "points": 10}]}]},
    "referral": {"campaigns": [{"key": "inv", "name": "邀请有礼", "staff": "zhang.wei",
                                "tiers": [{"invites": 10, "gift": "书签"}]}]},
}


async def test_seeding_follows_the_config_and_keeps_staff_changes(sessions) -> None:
    clock = FakeClock(at(3, 1))
    async with sessions.begin() as s:
        await seed_features(s, make_config(MEM, **FULL), clock.now(), FEATURES)
    async with sessions.begin() as s:
        await add_schedule(context_factory(clock)(s), "reading", "30 12 * * *", actor="li.na")
    trimmed = {**FULL, "community": {**FULL["community"], "schedules": FULL["community"]["schedules"][:1],
                                     "topics": FULL["community"]["topics"][:1]}}
    for _ in range(2):  # restarts
        async with sessions.begin() as s:
            await seed_features(s, make_config(MEM, **trimmed), clock.now(), FEATURES)
    async with sessions() as s:
        schedules = {r.cron: r.status for r in (await s.scalars(select(TopicSchedule))).all()}
        topics = {r.text: r.status for r in (await s.scalars(select(Topic))).all()}
        chats = list((await s.scalars(select(InterestChat.chat_id))).all())
        (campaign,) = (await s.scalars(select(CheckinCampaign))).all()
        (referral,) = (await s.scalars(select(ReferralCampaign))).all()
    assert schedules == {"0 20 * * 1": "active", "0 9 * * 6": "paused", "30 12 * * *": "active"}
    assert topics == {"本周在读": "active", "书单推荐": "paused"}
    assert chats == ["wrRead0001"]
    assert (campaign.start_date, campaign.end_date) == (date(2026, 3, 2), date(2026, 3, 22))
    assert campaign.milestones == [{"day": 7, "points": 10, "badge": "", "coupon": ""}]
    assert referral.tiers == [{"invites": 10, "gift": "书签", "points": 0}]


def test_config_mistakes_name_their_key() -> None:
    with pytest.raises(ConfigError) as info:
        make_config(MEM, community={"groups": [GROUP], "topics": [{"group": "cooking", "text": "x"}]})
    assert info.value.key == "community.topics[0].group"
    with pytest.raises(ConfigError) as info:
        make_config(MEM, referral={"campaigns": [{"key": "k", "name": "n", "staff": "s",
                                                          "tiers": [{"invites": 20, "gift": "a"},
                                                                    {"invites": 10, "gift": "b"}]}]})
    assert info.value.key == "referral.campaigns[0].tiers"
    with pytest.raises(ConfigError) as info:
        make_config(MEM, checkin={"campaigns": [{"key": "k", "name": "n", "start": "3/2", "days": 7}]})
    assert info.value.key == "checkin.campaigns[0].start"
