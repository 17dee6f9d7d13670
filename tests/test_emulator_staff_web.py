"""Staff sign-in as WeCom does it (shared/wecom/staff-web.md §2–4): the in-client OAuth2 page,
the desktop Web login, and code → identity with auth/getuserinfo / getuserdetail."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.oauth import trusted
from emulator.testing import ApiClient

REDIRECT = "http://127.0.0.1:8080/wecom/oauth?next=/chat"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_030_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=21)


def authorize_query(emu: Emulator, **overrides: str) -> dict[str, str]:
    query = {"appid": emu.config.corp_id, "redirect_uri": REDIRECT, "response_type": "code",
             "scope": "snsapi_base", "state": "s1a2b3", "agentid": str(emu.config.agent_id)}
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


async def pick(emu: Emulator, http: aiohttp.ClientSession, path: str, query: dict[str, str], choice: str,
               **headers: str) -> aiohttp.ClientResponse:
    form = {**query, "pick": choice}
    async with http.post(emu.base_url + path, data=form, allow_redirects=False,
                         headers={"Origin": emu.base_url, **headers}) as resp:
        await resp.read()
        return resp


def code_of(location: str) -> str:
    return dict(parse_qsl(urlsplit(location).query))["code"]


async def test_authorize_shows_a_member_picker_and_redirects_with_code_and_state(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    query = authorize_query(emu)
    async with http.get(emu.base_url + "/connect/oauth2/authorize", params=query) as resp:
        page = await resp.text()
    assert resp.status == 200 and "你是哪位成员" in page
    assert all(f'value="member:{userid}"' in page for userid in emu.config.staff)

    resp = await pick(emu, http, "/connect/oauth2/authorize", query, "member:li.na")

    assert resp.status == 302
    location = resp.headers["Location"]
    # the existing query is kept, code and state follow with & (doc 96441)
    assert re.fullmatch(r"http://127\.0\.0\.1:8080/wecom/oauth\?next=/chat&code=[\w-]+&state=s1a2b3", location)
    answer = await app_api.get("auth/getuserinfo", code=code_of(location))
    assert answer == {"errcode": 0, "errmsg": "ok", "userid": "li.na"}


async def test_a_code_works_once_for_five_minutes_and_only_for_the_app(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient, clock: FakeClock) -> None:
    contact_api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["contact"])
    code = emu.oauth_code_for("zhang.wei")

    assert (await contact_api.get("auth/getuserinfo", code=code))["errcode"] == 50001
    assert (await app_api.get("auth/getuserinfo", code=code))["userid"] == "zhang.wei"
    assert (await app_api.get("auth/getuserinfo", code=code))["errcode"] == 40029  # used

    stale = emu.oauth_code_for("zhang.wei")
    clock.advance(301)
    assert (await app_api.get("auth/getuserinfo", code=stale))["errcode"] == 40029
    assert (await app_api.get("auth/getuserinfo", code="not-a-code"))["errcode"] == 40029
    assert (await app_api.get("auth/getuserinfo"))["errcode"] == 41008


@pytest.mark.parametrize(("overrides", "complaint"), [
    ({"appid": "wwSomebodyElse00001"}, "appid"),
    ({"redirect_uri": "https://evil.example.com/cb"}, "redirect_uri需使用应用可信域名"),
    ({"response_type": "token"}, "response_type"),
    ({"scope": "snsapi_userinfo"}, "scope"),
    ({"agentid": "1000099"}, "agentid"),
    ({"scope": "snsapi_privateinfo", "agentid": None}, "snsapi_privateinfo 需要 agentid"),
    ({"state": "has spaces!"}, "state"),
])
async def test_authorize_checks_the_documented_parameters(emu: Emulator, http: aiohttp.ClientSession,
                                                          overrides: dict[str, str | None], complaint: str) -> None:
    query = authorize_query(emu, **overrides)  # type: ignore[arg-type]
    async with http.get(emu.base_url + "/connect/oauth2/authorize", params=query) as resp:
        page = await resp.text()
    assert resp.status == 400 and complaint in page
    assert (await pick(emu, http, "/connect/oauth2/authorize", query, "member:li.na")).status == 400


def test_trusted_domains_match_host_and_port_exactly() -> None:
    domains = ("sidebar.example.com", "crm.example.com:8443", "127.0.0.1:*")
    assert trusted("https://sidebar.example.com/wecom?x=1", domains)
    assert trusted("https://SIDEBAR.example.com/", domains)
    assert not trusted("https://sidebar.example.com:8008/", domains)  # doc 90313, 50001: port must match
    assert not trusted("https://www.sidebar.example.com/", domains)
    assert trusted("https://crm.example.com:8443/a", domains)
    assert not trusted("https://crm.example.com/a", domains)
    assert trusted("http://127.0.0.1:8080/cb", domains) and trusted("http://127.0.0.1/cb", domains)
    assert not trusted("javascript:alert(1)", domains) and not trusted("/relative", domains)


async def test_a_signed_in_client_skips_the_picker_for_snsapi_base(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    emu.sign_in_as("wang.fang")
    async with http.get(emu.base_url + "/connect/oauth2/authorize", params=authorize_query(emu, state=""),
                        allow_redirects=False) as resp:
        location = resp.headers["Location"]
    assert resp.status == 302 and location.endswith("&state=")  # state is echoed even when empty
    assert (await app_api.get("auth/getuserinfo", code=code_of(location)))["userid"] == "wang.fang"
    # snsapi_privateinfo still asks for consent (doc 15232)
    async with http.get(emu.base_url + "/connect/oauth2/authorize",
                        params=authorize_query(emu, scope="snsapi_privateinfo"), allow_redirects=False) as resp:
        assert resp.status == 200 and "敏感信息" in await resp.text()


async def test_privateinfo_gives_a_user_ticket_for_getuserdetail(emu: Emulator, app_api: ApiClient,
                                                                 clock: FakeClock) -> None:
    info = await app_api.get("auth/getuserinfo", code=emu.oauth_code_for("chen.jing", scope="snsapi_privateinfo"))
    assert info["userid"] == "chen.jing" and len(info["user_ticket"]) <= 512

    detail = await app_api.post("auth/getuserdetail", {"user_ticket": info["user_ticket"]})

    assert list(detail) == ["errcode", "errmsg", "userid", "gender", "avatar", "qr_code", "mobile", "email",
                            "biz_mail", "address"]
    assert detail["userid"] == "chen.jing" and detail["gender"] in ("0", "1", "2")
    base = await app_api.get("auth/getuserinfo", code=emu.oauth_code_for("chen.jing"))
    assert "user_ticket" not in base  # snsapi_base: no ticket
    assert (await app_api.post("auth/getuserdetail", {}))["errcode"] == 84090
    assert (await app_api.post("auth/getuserdetail", {"user_ticket": "nope"}))["errcode"] == 84015
    clock.advance(1801)
    assert (await app_api.post("auth/getuserdetail", {"user_ticket": info["user_ticket"]}))["errcode"] == 84014


async def test_non_members_get_an_openid_and_customers_also_their_external_userid(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    await emu.add_friend("zhang.wei", "wmFriend0001", name="陈杰")
    await emu.customer_enters_kf("wmKfOnly0001")
    query = authorize_query(emu)
    async with http.get(emu.base_url + "/connect/oauth2/authorize", params=query) as resp:
        page = await resp.text()
    assert "非企业成员" in page and "陈杰" in page

    friend = code_of((await pick(emu, http, "/connect/oauth2/authorize", query, "visitor:wmFriend0001"))
                     .headers["Location"])
    stranger = code_of((await pick(emu, http, "/connect/oauth2/authorize", query, "visitor:"))
                       .headers["Location"])

    as_friend = await app_api.get("auth/getuserinfo", code=friend)
    assert list(as_friend) == ["errcode", "errmsg", "openid", "external_userid"]
    assert as_friend["external_userid"] == "wmFriend0001" and len(as_friend["openid"]) <= 64
    as_stranger = await app_api.get("auth/getuserinfo", code=stranger)
    assert list(as_stranger) == ["errcode", "errmsg", "openid"]
    kf_only = await app_api.get("auth/getuserinfo", code=emu.oauth_code_for_visitor("wmKfOnly0001"))
    assert "external_userid" not in kf_only  # not a customer-contact customer of the corp
    again = await app_api.get("auth/getuserinfo", code=emu.oauth_code_for_visitor("wmFriend0001"))
    assert again["openid"] == as_friend["openid"]  # one openid per visitor


async def test_the_picker_refuses_cross_site_posts(emu: Emulator, http: aiohttp.ClientSession) -> None:
    query = authorize_query(emu)
    resp = await pick(emu, http, "/connect/oauth2/authorize", query, "member:li.na", Origin="https://evil.example")
    assert resp.status == 403
    resp = await pick(emu, http, "/connect/oauth2/authorize", query, "member:li.na", **{"Sec-Fetch-Site": "cross-site"})
    assert resp.status == 403


def web_login_query(emu: Emulator, **overrides: str | None) -> dict[str, str]:
    query: dict[str, str | None] = {"login_type": "CorpApp", "appid": emu.config.corp_id,
                                    "agentid": str(emu.config.agent_id),
                                    "redirect_uri": "http://localhost:8080/wecom/weblogin", "state": "w9x8y7",
                                    "lang": "zh"}
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


async def test_web_login_picks_a_member_and_the_code_gives_only_the_userid(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    query = web_login_query(emu)
    async with http.get(emu.base_url + "/wwlogin/sso/login", params=query) as resp:
        page = await resp.text()
    assert resp.status == 200 and "企业微信登录" in page and "非企业成员" not in page

    resp = await pick(emu, http, "/wwlogin/sso/login", query, "member:zhang.wei")

    location = resp.headers["Location"]
    assert resp.status == 302 and location.startswith("http://localhost:8080/wecom/weblogin?code=")
    assert location.endswith("&state=w9x8y7")
    assert await app_api.get("auth/getuserinfo", code=code_of(location)) == {
        "errcode": 0, "errmsg": "ok", "userid": "zhang.wei"}
    refused = await pick(emu, http, "/wwlogin/sso/login", query, "refuse:")
    assert refused.headers["Location"] == "http://localhost:8080/wecom/weblogin?state=w9x8y7"


@pytest.mark.parametrize(("overrides", "complaint"), [
    ({"login_type": "ServiceApp"}, "login_type"),
    ({"agentid": None}, "agentid"),
    ({"appid": "wwSomebodyElse00001"}, "appid"),
    ({"redirect_uri": "https://evil.example.com/cb"}, "可信域名"),
])
async def test_web_login_checks_the_documented_parameters(emu: Emulator, http: aiohttp.ClientSession,
                                                          overrides: dict[str, str | None], complaint: str) -> None:
    async with http.get(emu.base_url + "/wwlogin/sso/login", params=web_login_query(emu, **overrides)) as resp:
        assert resp.status == 400 and complaint in await resp.text()


async def test_trusted_domains_come_from_configuration(clock: FakeClock, http: aiohttp.ClientSession) -> None:
    emu = Emulator(EmulatorConfig(trusted_domains=("sidebar.example.com",)), clock=clock)
    await emu.start()
    try:
        for redirect, status in (("https://sidebar.example.com/cb", 200), (REDIRECT, 400)):
            async with http.get(emu.base_url + "/connect/oauth2/authorize",
                                params=authorize_query(emu, redirect_uri=redirect)) as resp:
                assert resp.status == status
    finally:
        await emu.stop()
