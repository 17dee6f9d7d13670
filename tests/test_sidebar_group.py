"""The chat sidebar beside a customer group: its interest group, the topic calendar and who in the
group has checked in today."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditLog
from tests.community_kit import at
from tests.sidebar_kit import Sidebar, named, start

CHAT = "wrSideSkin00001"
COMMUNITY = {
    "community": {"groups": [{"key": "skincare", "name": "柚见护肤同好会", "tag": "护肤",
                              "chat_name_contains": "护肤"}],
                  "schedules": [{"group": "skincare", "cron": "0 20 * * 2,4"}],
                  "topics": [{"group": "skincare", "text": "换季了，大家的护肤步骤有什么变化吗？"}]},
    "checkin": {"window": "00:00-24:00",
                "campaigns": [{"key": "sleep7", "name": "7天早睡打卡", "start": "2026-03-02", "days": 7}]},
}


async def test_the_group_owner_sees_the_community_of_the_group(db_url, wecom, clock) -> None:
    clock.set(at(3, 2, 10))  # Monday 10:00
    bot = await start(db_url, wecom, clock, **COMMUNITY)
    try:
        await wecom.create_group(CHAT, "wang.fang", "柚见护肤交流1群")
        await wecom.customers_join_group(CHAT, ["wmSkinAmy00001", "wmSkinBob00001"])
        await bot.drain()
        clock.advance(60)  # the group's name and owner are read a moment later; it links by name
        await bot.drain()
        for ext, name in (("wmSkinAmy00001", "安安"), ("wmSkinBob00001", "贝贝")):
            await wecom.customer_says(ext, "你好")
            await bot.drain()
            await named(bot, ext, name)
        await wecom.customer_says("wmSkinAmy00001", "打卡")
        await wecom.customer_says("wmSkinBob00001", "打卡")  # joins the camp today ...
        await bot.drain()
        clock.advance(24 * 3600)  # ... Tuesday: only 安安 checks in again
        await wecom.customer_says("wmSkinAmy00001", "打卡")
        await bot.drain()

        sidebar = await Sidebar.open(bot, wecom, "wang.fang", chat_id=CHAT)
        status, page = await sidebar.get("/group", chat_id=CHAT)
        assert status == 200
        assert "柚见护肤交流1群" in page and "群主 王芳（wang.fang）" in page
        assert "柚见护肤同好会" in page and "兴趣标签 护肤" in page
        assert "0 20 * * 2,4 · 下次 03-03 20:00" in page  # Tuesday 20:00, local time
        assert "下一个话题：换季了，大家的护肤步骤有什么变化吗？" in page
        assert "今天已打卡 1 / 2 人" in page
        rows = page.split('<table class="checkins">', 1)[1]
        assert rows.index("贝贝") < rows.index("安安")  # who has not checked in yet comes first
        assert "<td>安安</td><td>7天早睡打卡</td><td class=\"done\">已打卡</td><td>2 天</td>" in page
        # 贝贝's streak is yesterday's, still alive until today ends
        assert "<td>贝贝</td><td>7天早睡打卡</td><td class=\"todo\">未打卡</td><td>1 天</td>" in page
        assert "群活动预告" in page  # quick replies for the group too
        async with bot.sessions() as s:
            viewed = (await s.scalars(select(AuditLog).where(AuditLog.action == "sidebar_view_group"))).all()
        assert [(a.actor, a.target) for a in viewed] == [("console:wang.fang", CHAT)]
        await sidebar.close()
    finally:
        await bot.stop()
