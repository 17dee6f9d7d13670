"""The sign-in pages WeCom shows, played by the tester: who is opening the link?

- `/connect/oauth2/authorize` — in-client OAuth2 (网页授权, open.weixin.qq.com; doc 96441).
- `/wwlogin/sso/login` — desktop Web login (企业微信Web登录, login.work.weixin.qq.com; doc 98171).

Both check the documented parameters, then show a member picker; picking one redirects to
`redirect_uri` with `code` and `state` (an existing query is kept and extended with `&`).
When the emulated client has a signed-in member (`Emulator.sign_in_as` / `open_sidebar`),
snsapi_base links redirect at once, as the client does silently (doc 96441).
How WeCom words its error pages is not documented in what we read (unconfirmed): the
emulator answers 400 with a page naming the broken parameter.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web

from emulator.oauth import OAUTH_STATE, SCOPES, trusted, with_query
from emulator.origin import reject_cross_origin

if TYPE_CHECKING:
    from emulator.emulator import Emulator

OAUTH_PATH = "/connect/oauth2/authorize"
WEB_LOGIN_PATH = "/wwlogin/sso/login"
OAUTH_PARAMS = ("appid", "redirect_uri", "response_type", "scope", "state", "agentid")
WEB_LOGIN_PARAMS = ("login_type", "appid", "agentid", "redirect_uri", "state", "lang")


def add_signin_routes(app: web.Application) -> None:
    app.router.add_get(OAUTH_PATH, _oauth_page)
    app.router.add_post(OAUTH_PATH, _oauth_pick)
    app.router.add_get(WEB_LOGIN_PATH, _web_login_page)
    app.router.add_post(WEB_LOGIN_PATH, _web_login_pick)


def _emu(request: web.Request) -> Emulator:
    from emulator.api import EMULATOR

    return request.app[EMULATOR]


# --- parameter checks ----------------------------------------------------------------------------

def _agent_ok(emu: Emulator, value: str) -> bool:
    return value.isdigit() and int(value) == emu.config.agent_id


def oauth_errors(emu: Emulator, q: Mapping[str, str]) -> list[str]:
    """What is wrong with an authorize link (doc 96441)."""
    cfg, errors = emu.config, []
    if q.get("appid") != cfg.corp_id:
        errors.append("appid 必须是企业的 CorpID")
    if not q.get("redirect_uri"):
        errors.append("缺少 redirect_uri")
    elif not trusted(q["redirect_uri"], cfg.trusted_domains):
        # the client's wording per community screenshots (unconfirmed)
        errors.append(f"redirect_uri需使用应用可信域名（{', '.join(cfg.trusted_domains) or '未配置'}）")
    if q.get("response_type") != "code":
        errors.append("response_type 只能是 code")
    scope = q.get("scope", "")
    if scope not in SCOPES:
        errors.append(f"scope 只能是 {' 或 '.join(SCOPES)}")
    if "agentid" in q and not _agent_ok(emu, q["agentid"]):
        errors.append(f"agentid 不是本应用的 AgentID（{cfg.agent_id}）")
    elif "agentid" not in q and scope == "snsapi_privateinfo":
        # doc 96441's table calls it an error; its note says the request becomes snsapi_base (unconfirmed)
        errors.append("snsapi_privateinfo 需要 agentid")
    if not OAUTH_STATE.fullmatch(q.get("state", "")):
        errors.append("state 只能是 a-zA-Z0-9，最长 128 字节")
    return errors


def web_login_errors(emu: Emulator, q: Mapping[str, str]) -> list[str]:
    """What is wrong with a Web-login link (doc 98171; only CorpApp is modelled)."""
    cfg, errors = emu.config, []
    if q.get("login_type") != "CorpApp":
        errors.append("login_type 必须是 CorpApp（自建应用；ServiceApp 第三方登录未模拟）")
    if q.get("appid") != cfg.corp_id:
        errors.append("appid 必须是企业的 CorpID")
    if not _agent_ok(emu, q.get("agentid", "")):
        errors.append(f"login_type=CorpApp 时 agentid 必填，且为本应用的 AgentID（{cfg.agent_id}）")
    if not q.get("redirect_uri"):
        errors.append("缺少 redirect_uri")
    elif not trusted(q["redirect_uri"], cfg.trusted_domains):
        errors.append(f"redirect_uri 的域名必须是可信域名或授权回调域（{', '.join(cfg.trusted_domains) or '未配置'}）")
    if q.get("lang", "zh") not in ("zh", "en"):
        errors.append("lang 只能是 zh 或 en")
    return errors


# --- OAuth2 --------------------------------------------------------------------------------------

async def _oauth_page(request: web.Request) -> web.StreamResponse:
    emu, q = _emu(request), request.query
    errors = oauth_errors(emu, q)
    if errors:
        return _error_page("网页授权", errors)
    member = emu.corp.signin.client_member
    if member and q["scope"] == "snsapi_base":
        raise web.HTTPFound(emu.oauth_redirect(q, userid=member))
    return _picker_page(emu, "网页授权", OAUTH_PATH, q, OAUTH_PARAMS, visitors=q["scope"] == "snsapi_base",
                        consent=q["scope"] == "snsapi_privateinfo")


async def _oauth_pick(request: web.Request) -> web.StreamResponse:
    emu = _emu(request)
    refused = reject_cross_origin(request, required=emu.config.console_origin_required, json_body=False)
    if refused is not None:
        return refused
    form = await request.post()
    q = {k: str(form[k]) for k in OAUTH_PARAMS if k in form}
    errors = oauth_errors(emu, q)
    if errors:
        return _error_page("网页授权", errors)
    kind, _, who = str(form.get("pick", "")).partition(":")
    if kind == "member" and emu.corp.is_staff(who):
        raise web.HTTPFound(emu.oauth_redirect(q, userid=who))
    if kind == "visitor" and q["scope"] == "snsapi_base":
        raise web.HTTPFound(emu.oauth_redirect(q, visitor=who))
    return _error_page("网页授权", ["请选择一位成员"])


# --- Web login -----------------------------------------------------------------------------------

async def _web_login_page(request: web.Request) -> web.StreamResponse:
    emu, q = _emu(request), request.query
    errors = web_login_errors(emu, q)
    if errors:
        return _error_page("企业微信登录", errors)
    return _picker_page(emu, "企业微信登录", WEB_LOGIN_PATH, q, WEB_LOGIN_PARAMS, visitors=False, consent=False,
                        refuse=True)


async def _web_login_pick(request: web.Request) -> web.StreamResponse:
    emu = _emu(request)
    refused = reject_cross_origin(request, required=emu.config.console_origin_required, json_body=False)
    if refused is not None:
        return refused
    form = await request.post()
    q = {k: str(form[k]) for k in WEB_LOGIN_PARAMS if k in form}
    errors = web_login_errors(emu, q)
    if errors:
        return _error_page("企业微信登录", errors)
    kind, _, who = str(form.get("pick", "")).partition(":")
    if kind == "refuse":  # old scan login: refusing returns only `state` (doc 91019 via blogs, unconfirmed)
        raise web.HTTPFound(with_query(q["redirect_uri"], [("state", q.get("state", ""))]))
    if kind == "member" and emu.corp.is_staff(who):
        raise web.HTTPFound(emu.web_login_redirect(q, userid=who))
    return _error_page("企业微信登录", ["请选择一位成员"])


# --- HTML ----------------------------------------------------------------------------------------

STYLE = """body{font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
background:#f3f4f6;color:#222}
main{max-width:420px;margin:32px auto;background:#fff;border-radius:8px;padding:16px 20px}
h1{font-size:18px;margin:0 0 4px}p.sub{color:#888;margin:0 0 12px;font-size:13px}
button{display:block;width:100%;margin:6px 0;padding:8px;border:1px solid #ddd;border-radius:6px;background:#fff;
text-align:left;cursor:pointer;font-size:15px}button:hover{border-color:#07c160}button.refuse{color:#d93025}
h2{font-size:14px;color:#666;margin:14px 0 4px}.err{color:#d93025}
.warn{background:#fff4e5;padding:6px;border-radius:4px}"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    doc = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
           f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
           f"<body><main>{body}</main></body></html>")
    return web.Response(text=doc, status=status, content_type="text/html")


def _error_page(title: str, errors: list[str]) -> web.Response:
    items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return _page(title, f'<h1>{html.escape(title)}</h1><p class="sub">企业微信模拟器</p>'
                        f'<ul class="err">{items}</ul>', status=400)


def _picker_page(emu: Emulator, title: str, action: str, q: Mapping[str, str], names: tuple[str, ...], *,
                 visitors: bool, consent: bool, refuse: bool = False) -> web.Response:
    hidden = "".join(f'<input type="hidden" name="{n}" value="{html.escape(q[n], quote=True)}">'
                     for n in names if n in q)
    members = "".join(
        f'<button name="pick" value="member:{html.escape(u, quote=True)}">{html.escape(n)}（{html.escape(u)}）</button>'
        for u, n in emu.config.staff.items())
    prompt = "允许应用获取你的头像、手机号等敏感信息？选择以哪位成员同意：" if consent else "你是哪位成员？"
    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="sub">企业微信模拟器 · {html.escape(emu.config.corp_id)}'
             f' · AgentID {emu.config.agent_id}</p>',
             '<p class="warn" id="hash-warning" hidden>链接缺少 #wechat_redirect：企业微信客户端靠它注入身份</p>'
             if action == OAUTH_PATH else "",
             f'<form method="post" action="{action}">{hidden}<h2>{prompt}</h2>{members}']
    if visitors:
        corp = emu.corp
        people = "".join(
            f'<button name="pick" value="visitor:{html.escape(ext, quote=True)}">{html.escape(c.name)}'
            f"（{html.escape(ext)}）</button>" for ext, c in corp.contacts.customers.items())
        parts.append(f'<h2>非企业成员（微信用户）</h2>{people}<button name="pick" value="visitor:">新访客</button>')
    if refuse:
        parts.append('<button class="refuse" name="pick" value="refuse:">拒绝登录</button>')
    parts.append("</form>")
    if action == OAUTH_PATH:
        parts.append("<script>if(location.hash!=='#wechat_redirect')"
                     "document.getElementById('hash-warning').hidden=false;</script>")
    return _page(title, "".join(parts))
