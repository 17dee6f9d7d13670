"""Staff sign in as themselves: WeCom OAuth2 inside the client (网页授权, snsapi_base), WeCom Web
login on a desktop browser (wwlogin/sso/login, CorpApp), both ending in `auth/getuserinfo` → userid
(shared/wecom/staff-web.md §2–4); or, only with `[console] password_login = true`, a per-member
password (`wanzi console passwd <userid>`). Only active members of the staff table get in.

The OAuth `state` is random, stored hashed, and bound to the browser by a cookie; a callback whose
state this browser did not start is refused. The session cookie is SameSite=Strict, which a browser
withholds on a redirect chain that began at WeCom, so the callback answers with a page that moves
on by itself (a same-site navigation) instead of a redirect.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.appkeys import CLIENT, CLOCK, CONFIG, SESSIONS, SIGNIN
from bot.config import Config
from bot.console.auth import client_address, safe_next
from bot.console.frame import frame, signed_in
from bot.console.html import Safe, render
from bot.console.jssdk import SIDEBAR, in_sidebar
from bot.console.passwords import check_password
from bot.console.sessions import COOKIE, SIDEBAR_COOKIE, STATE_COOKIE, SessionStore
from bot.errors import ApiError, TransportError
from storage.models import Staff
from storage.repos import AuditRepo, StaffRepo

log = logging.getLogger(__name__)


def wecom_sign_in(config: Config) -> bool:
    """WeCom sign-in needs the self-built app (its agentid and secret)."""
    return bool(config.wecom.corp_id and config.wecom.agent_id and config.wecom.app_secret)


def console_enabled(config: Config) -> bool:
    return wecom_sign_in(config) or config.console.password_login


def _secure(request: web.Request) -> bool:
    config = request.config_dict[CONFIG]
    return request.secure or config.server.public_url.startswith("https://")


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str, *,
                       sidebar: bool = False) -> None:
    """The console's cookie, or with `sidebar` the chat sidebar's own (only sent to its pages)."""
    config = request.config_dict[CONFIG]
    name, path = (SIDEBAR_COOKIE, SIDEBAR) if sidebar else (COOKIE, "/console")
    response.set_cookie(name, token, max_age=int(config.console.session_hours * 3600), path=path,
                        httponly=True, samesite="Strict", secure=_secure(request))


def _callback_url(request: web.Request, via: str) -> str:
    """Where WeCom sends the member back: under server.public_url, or the host they used (WeCom only
    redirects to the app's trusted domain, so a forged Host gains nothing)."""
    base = request.config_dict[CONFIG].server.public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    return f"{base}/console/login/callback?{urlencode({'via': via})}"


LOGIN = """<section class="login"><h1>登录丸子控制台</h1>$error$wecom$password</section>"""
WECOM = """<p>用你的企业微信账号登录：</p>
<p><a class="button" href="$web">企业微信扫码登录</a></p>
<p><a class="button secondary" href="$oauth">在企业微信里打开时，一键登录</a></p>"""
PASSWORD = """<form method="post" action="/console/login">
<input type="hidden" name="next" value="$next">
<label>企业微信账号 <input name="user" value="$user" maxlength="64" placeholder="例如 li.na" autocomplete="username"
 required></label>
<label>个人密码 <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">登录</button></form>
<p class="hint">个人密码由管理员用 <code>wanzi console passwd 账号</code> 设置。</p>"""


def login_form(request: web.Request, *, error: str = "", user: str = "", status: int = 200) -> web.Response:
    config = request.config_dict[CONFIG]
    nxt = safe_next(request.query.get("next", ""))
    wecom = render(WECOM, web=f"/console/login/wecom?{urlencode({'via': 'web', 'next': nxt})}",
                   oauth=f"/console/login/wecom?{urlencode({'via': 'oauth', 'next': nxt})}") \
        if wecom_sign_in(config) else Safe("")
    password = render(PASSWORD, next=nxt, user=user) if config.console.password_login else Safe("")
    body = render(LOGIN, error=render('<p class="error">$e</p>', e=error) if error else Safe(""), wecom=wecom,
                  password=password)
    return frame(request, "登录", body, status=status)


async def login_page(request: web.Request) -> web.StreamResponse:
    config = request.config_dict[CONFIG]
    if "wxwork" in request.headers.get("User-Agent", "").lower() and wecom_sign_in(config):
        query = urlencode({"via": "oauth", "next": request.query.get("next", "")})
        raise web.HTTPFound(f"/console/login/wecom?{query}")
    return login_form(request)


async def start_wecom(request: web.Request) -> web.StreamResponse:
    """Send the browser to WeCom with a fresh state bound to it."""
    config = request.config_dict[CONFIG]
    if not wecom_sign_in(config):
        raise web.HTTPNotFound(text="WeCom sign-in is not configured")
    store: SessionStore = request.config_dict[SIGNIN]
    state = await store.begin_sign_in(safe_next(request.query.get("next", "")))
    w = config.wecom
    if request.query.get("via") == "oauth":  # inside the WeCom client (doc 96441)
        query = urlencode({"appid": w.corp_id, "redirect_uri": _callback_url(request, "oauth"), "response_type": "code",
                           "scope": "snsapi_base", "state": state, "agentid": w.agent_id})
        target = f"{w.oauth_base.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"
    else:  # a desktop browser: WeCom Web login for a self-built app (doc 98171)
        query = urlencode({"login_type": "CorpApp", "appid": w.corp_id, "agentid": w.agent_id,
                           "redirect_uri": _callback_url(request, "web"), "state": state, "lang": "zh"})
        target = f"{w.login_base.rstrip('/')}/wwlogin/sso/login?{query}"
    response = web.HTTPFound(target)
    response.set_cookie(STATE_COOKIE, state, max_age=600, path="/console/login", httponly=True, samesite="Lax",
                        secure=_secure(request))
    raise response


async def wecom_callback(request: web.Request) -> web.StreamResponse:
    store: SessionStore = request.config_dict[SIGNIN]
    state, code = request.query.get("state", ""), request.query.get("code", "")
    next_path = await store.finish_sign_in(state, request.cookies.get(STATE_COOKIE))
    if next_path is None:
        return login_form(request, error="这次登录已过期或不是从这个浏览器发起的，请重新登录。", status=400)
    if not code:
        return login_form(request, error="你在企业微信里取消了登录。", status=400)
    try:
        answer = await request.config_dict[CLIENT].call("auth/getuserinfo", {"code": code[:512]})
    except (ApiError, TransportError) as exc:
        log.warning("console sign-in: auth/getuserinfo failed",
                    extra={"api": "auth/getuserinfo", "errcode": getattr(exc, "errcode", None)})
        return login_form(request, error="企业微信没有确认你的身份（登录码无效或已用过），请重新登录。", status=400)
    userid = str(answer.get("userid") or answer.get("UserId") or "")
    if not userid:  # a WeChat visitor (openid), not a member of the corp
        return _refused(request, "", "这是企业微信成员专用的控制台。")
    return await _sign_in(request, userid, method="wecom_web" if request.query.get("via") == "web" else "wecom_oauth",
                          next_path=next_path)


async def password_login(request: web.Request) -> web.StreamResponse:
    config = request.config_dict[CONFIG]
    if not config.console.password_login:
        raise web.HTTPNotFound(text="password sign-in is off")
    store: SessionStore = request.config_dict[SIGNIN]
    form = await request.post()
    userid = str(form.get("user", "")).strip()[:64]
    address = client_address(request)
    if await store.throttled(userid, address):
        raise web.HTTPTooManyRequests(text="too many failed sign-ins; try again in 15 minutes")
    async with request.config_dict[SESSIONS]() as session:
        staff = await StaffRepo(session).find(userid)
    if staff is None or not staff.active or not staff.password_hash \
            or not check_password(str(form.get("password", "")), staff.password_hash):
        await store.failed(userid, address)
        log.warning("console sign-in failed", extra={"peer": address})
        return login_form(request, error="账号或密码不对", user=userid, status=401)
    return await _sign_in(request, userid, method="password", next_path=safe_next(str(form.get("next", ""))),
                          redirect=True)


async def _sign_in(request: web.Request, userid: str, *, method: str, next_path: str,
                   redirect: bool = False) -> web.StreamResponse:
    now = request.config_dict[CLOCK].now()
    async with request.config_dict[SESSIONS].begin() as session:
        staff = await StaffRepo(session).find(userid)
        if staff is None or not staff.active:
            AuditRepo(session).record(actor=f"console:{userid}"[:64], action="console_signin_refused",
                                      target=userid, detail={"method": method}, now=now)
            return _refused(request, userid, "你还不是丸子登记的员工，或已被移出员工名单。")
        AuditRepo(session).record(actor=f"console:{userid}"[:64], action="console_signin", target=userid,
                                  detail={"method": method, "address": client_address(request)}, now=now)
        member: Staff = staff
    store: SessionStore = request.config_dict[SIGNIN]
    token = await store.open(member, method=method, address=client_address(request),
                             user_agent=request.headers.get("User-Agent", ""))
    target = next_path or "/console/"
    if redirect:  # a same-site form post: the Strict cookie comes along on the redirect
        response: web.StreamResponse = web.Response(status=303, headers={"Location": target})
    else:
        body = render('<section class="login"><h1>已登录</h1><p>正在进入控制台…… <a href="$t">继续</a></p>'
                      '</section>', t=target)
        response = frame(request, "已登录", body)
        response.headers["Refresh"] = f"0; url={target}"
    set_session_cookie(request, response, token, sidebar=in_sidebar(urlsplit(target).path))
    response.del_cookie(STATE_COOKIE, path="/console/login")
    return response


def _refused(request: web.Request, userid: str, why: str) -> web.Response:
    body = render('<section class="login"><h1>无法登录</h1><p>$why</p><p class="hint">$who请联系管理员把你加入 '
                  '<code>[staff]</code>（管理员、运营或顾问）。</p></section>', why=why,
                  who=f"你的企业微信账号是 {userid}。" if userid else "")
    return frame(request, "无法登录", body, status=403)


async def logout(request: web.Request) -> web.StreamResponse:
    me = signed_in(request)
    await request.config_dict[SIGNIN].revoke(me.session_id)
    response = web.Response(status=303, headers={"Location": "/console/login"})
    response.del_cookie(COOKIE, path="/console")
    return response
