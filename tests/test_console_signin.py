"""Staff sign in as themselves: WeCom sign-in (desktop Web login and OAuth in the client) through the
emulated WeCom, only members on the staff list, server-side sessions that logout, idle time and
expiry really end, per-member passwords where WeCom sign-in is impossible, failed sign-ins counted
per account and address across replicas, roles on every page, and parameters that cannot 500."""

from __future__ import annotations

import asyncio
import io
import sys
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from sqlalchemy import select

from bot.cli import main
from storage.models import AuditLog, Staff
from storage.repos import StaffRepo
from tests import escalation_kit as kit
from tests.console_kit import ConsoleClient, sign_in
from tests.harness import BotUnderTest, make_config

STAFF = {"admins": ["zhang.wei"], "operators": ["li.na"], "advisors": ["wang.fang"]}


async def start(db_url: str, wecom, clock, **sections) -> BotUnderTest:
    sections.setdefault("staff", STAFF)
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, **sections), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def audit(bot: BotUnderTest, action: str) -> list[tuple[str, str]]:
    async with bot.sessions() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))).all()
    return [(r.actor, r.target) for r in rows]


async def test_a_member_signs_in_inside_the_wecom_client_without_a_page(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    wecom.sign_in_as("li.na")  # the WeCom client is logged in: snsapi_base redirects at once (doc 96441)
    async with browser() as http:
        try:
            async with http.get(f"{bot.url}/console/login/wecom", params={"via": "oauth", "next": "/console/digest"},
                                allow_redirects=False) as r:
                assert "/connect/oauth2/authorize?" in r.headers["Location"]
                assert r.headers["Location"].endswith("#wechat_redirect")
                query = dict(parse_qsl(urlsplit(r.headers["Location"]).query))
            assert (query["scope"], query["agentid"], query["appid"]) == ("snsapi_base", "1000002",
                                                                          "ww0123456789abcdef")
            async with http.get(r.headers["Location"].split("#")[0]) as page:  # follows back to the bot
                assert page.status == 200 and "已登录" in await page.text()
            async with http.get(f"{bot.url}/console/digest", allow_redirects=False) as r:
                assert r.status == 200 and '<span>li.na</span>' in await r.text()
            assert await audit(bot, "console_signin") == [("console:li.na", "li.na")]
        finally:
            await bot.stop()


async def test_a_callback_this_browser_did_not_start_is_refused(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    async with browser() as victim, browser() as attacker:
        try:
            async with attacker.get(f"{bot.url}/console/login/wecom", params={"via": "web"},
                                    allow_redirects=False) as r:
                parts = urlsplit(r.headers["Location"])
            form = dict(parse_qsl(parts.query)) | {"pick": "member:li.na"}
            origin = f"{parts.scheme}://{parts.netloc}"
            async with attacker.post(f"{origin}{parts.path}", data=form, headers={"Origin": origin},
                                     allow_redirects=False) as r:
                back = r.headers["Location"]
            async with victim.get(back, allow_redirects=False) as r:  # the link, planted in someone else's browser
                assert r.status == 400 and "重新登录" in await r.text()
            assert not [c for c in victim.cookie_jar if c.key == "wanzi_console"]
        finally:
            await bot.stop()


async def test_a_member_who_is_not_staff_is_told_so_and_it_is_audited(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)  # chen.jing is a member of the corp, not on [staff]
    async with browser() as http:
        try:
            status, page = await sign_in(http, bot.url, "chen.jing")
            assert status == 403 and "不是丸子登记的员工" in page and "chen.jing" in page
            async with http.get(f"{bot.url}/console/digest", allow_redirects=False) as r:
                assert r.status == 302
            assert await audit(bot, "console_signin_refused") == [("console:chen.jing", "chen.jing")]
        finally:
            await bot.stop()


async def test_removing_someone_from_staff_disables_them_everywhere(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    client = await ConsoleClient.login(bot.url, user="wang.fang")
    await bot.stop()
    bot = await start(db_url, wecom, clock, staff={"admins": ["zhang.wei"], "operators": ["li.na"]})
    client.base = bot.url
    try:
        assert (await client.get("/console/customers"))[0] == 302  # the session no longer counts
        async with bot.sessions() as s:
            assert (await StaffRepo(s).find("wang.fang")).active is False  # type: ignore[union-attr]
        assert await audit(bot, "staff_disabled") == [("config", "wang.fang")]
        await wecom.staff_sends("wang.fang", "/tickets")
        await bot.drain()
        assert "不是已登记" in wecom.staff_inbox("wang.fang")[-1]  # no commands either
    finally:
        await client.close()
        await bot.stop()


async def test_logout_and_idle_time_end_the_session_on_the_server(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    first, second = await ConsoleClient.login(bot.url), await ConsoleClient.login(bot.url)
    copied = {c.key: c.value for c in first.http.cookie_jar}["wanzi_console"]
    try:
        status, _, _ = await first.post("/console/logout", {})
        assert status == 303
        async with aiohttp.ClientSession(cookies={"wanzi_console": copied}) as replay:
            async with replay.get(f"{bot.url}/console/customers", allow_redirects=False) as r:
                assert r.status == 302  # a copy of the cookie is worth nothing after logout
        assert (await second.get("/console/customers"))[0] == 200
        clock.advance(121 * 60)  # idle_minutes = 120
        assert (await second.get("/console/customers"))[0] == 302
    finally:
        await first.close()
        await second.close()
        await bot.stop()


async def test_a_member_sees_their_sessions_and_ends_one_elsewhere(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    office, phone = await ConsoleClient.login(bot.url), await ConsoleClient.login(bot.url)
    try:
        status, page = await office.get("/console/account")
        assert status == 200 and page.count("企业微信扫码") == 2 and "（当前）" in page
        other = page.split('action="/console/account/sessions/', 1)[1].split("/", 1)[0]
        status, where, _ = await office.post(f"/console/account/sessions/{other}/end", {})
        assert status == 303
        assert "已结束该登录" in (await office.get(where))[1]
        assert (await phone.get("/console/customers"))[0] == 302
        assert (await office.get("/console/customers"))[0] == 200
    finally:
        await office.close()
        await phone.close()
        await bot.stop()


async def test_a_password_login_needs_a_personal_password_and_is_throttled_across_replicas(
        db_url, wecom, clock, tmp_path, monkeypatch) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[console]\npassword_login = true\n')
    console = {"password_login": True, "trusted_proxies": ["127.0.0.1"]}
    first = await start(db_url, wecom, clock, console=console)
    second = await start(db_url, wecom, clock, console=console)  # another replica on the same database
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO("12345678901\n"))  # too weak: digits only
        assert await asyncio.to_thread(main, ["console", "passwd", "li.na", "--stdin", "--config", str(config)]) == 1
        monkeypatch.setattr(sys, "stdin", io.StringIO("柚子-Console-2026\n"))
        assert await asyncio.to_thread(main, ["console", "passwd", "li.na", "--stdin", "--config", str(config)]) == 0
        async with bot_hash(first) as stored:
            assert stored.startswith("scrypt$") and "柚子" not in stored
        async with browser() as http:
            for i, bot in enumerate([first, second] * 3):  # five wrong tries from different addresses
                if i == 5:
                    break
                async with http.post(f"{bot.url}/console/login", data={"user": "li.na", "password": f"guess{i}"},
                                     headers={"X-Forwarded-For": f"203.0.113.{i}"}, allow_redirects=False) as r:
                    assert r.status == 401
            async with http.post(f"{first.url}/console/login", data={"user": "li.na", "password": "柚子-Console-2026"},
                                 headers={"X-Forwarded-For": "198.51.100.7"}, allow_redirects=False) as r:
                assert r.status == 429  # the account is locked for everyone, on every replica
            clock.advance(16 * 60)
            async with http.post(f"{second.url}/console/login", data={"user": "li.na", "password": "柚子-Console-2026"},
                                 allow_redirects=False) as r:
                assert r.status == 303
            async with http.get(f"{second.url}/console/customers", allow_redirects=False) as r:
                assert r.status == 200
    finally:
        await first.stop()
        await second.stop()


class bot_hash:  # noqa: N801 - reads like a function in the test
    def __init__(self, bot: BotUnderTest) -> None:
        self.bot = bot

    async def __aenter__(self) -> str:
        async with self.bot.sessions() as s:
            return str((await s.scalar(select(Staff.password_hash).where(Staff.userid == "li.na"))) or "")

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_each_page_needs_its_role_and_an_advisor_sees_only_their_own(db_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10AM)
    bot = await start(db_url, wecom, clock, staff=kit.STAFF, escalation={"leads": ["wang.fang"]})
    await kit.on_duty(bot, "li.na")
    await kit.customer(bot, "wmMine0001", name="我的客户", advisor="li.na")
    await kit.customer(bot, "wmOther001", name="别人的客户", advisor="wang.fang")
    await wecom.customer_says("wmOther001", "我要投诉")  # routed to wang.fang, their own advisor
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    advisor = await ConsoleClient.login(bot.url, user="li.na")
    try:
        status, page = await advisor.get("/console/escalations")
        assert status == 200 and "别人的客户" not in page
        assert (await advisor.get(f"/console/tickets/{ticket.id}"))[0] == 404
        status, page = await advisor.get("/console/customers")
        assert "我的客户" in page and "别人的客户" not in page
        other = await kit.find_customer(bot, "wmOther001")
        assert (await advisor.get(f"/console/customers/{other.id}"))[0] == 404
        assert "/console/digest" not in page and "/console/outbox" not in page  # not in the menu
        for path in ("/console/digest", "/console/outbox", "/console/campaigns"):
            assert (await advisor.get(path))[0] == 403, path
        status, _, _ = await advisor.post("/console/outbox/retry", {"scope": "all"})
        assert status == 403
        denied = [target for _, target in await audit(bot, "console_denied")]
        assert denied == ["/console/digest", "/console/outbox", "/console/campaigns", "/console/outbox/retry"]
    finally:
        await advisor.close()
        await bot.stop()


async def test_odd_parameters_get_a_4xx_never_a_500_and_the_url_cannot_write_a_banner(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    client = await ConsoleClient.login(bot.url, user="zhang.wei")
    try:
        for date in ("0001-01-01", "9999-12-31", "2026-02-30", "yesterday"):
            assert (await client.get("/console/digest", date=date))[0] == 400, date
        for path in ("/console/customers/123456789012345678901", "/console/tickets/99999999999999999999",
                     "/console/customers/-1", "/console/tickets/1e3"):
            assert (await client.get(path))[0] == 404, path
        status, _, _ = await client.post("/console/outbox/retry", [("scope", "selected"),
                                                                  ("id", "99999999999999999999")])
        assert status == 400
        status, page = await client.get("/console/escalations", msg="官方通知：请加微信 evil123 领取退款")
        assert status == 200 and "evil123" not in page
    finally:
        await client.close()
        await bot.stop()
