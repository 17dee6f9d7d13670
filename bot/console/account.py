"""我的登录: the member's own sessions (where and when they signed in), each one revocable, and
sign-out everywhere."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CONFIG, SIGNIN
from bot.console.frame import frame, path_id, signed_in, tell
from bot.console.html import Safe, local_time, render, table

METHODS = {"wecom_oauth": "企业微信内", "wecom_web": "企业微信扫码", "password": "个人密码"}


async def account_page(request: web.Request) -> web.Response:
    me, tz = signed_in(request), request.config_dict[CONFIG].persona.timezone
    rows = []
    for s in await request.config_dict[SIGNIN].live(me.userid):
        end: Safe = render('<form method="post" action="/console/account/sessions/$id/end" class="inline">'
                           '<input type="hidden" name="csrf" value="$csrf"><button type="submit">结束</button></form>',
                           id=s.id, csrf=me.csrf) if s.id != me.session_id else Safe("（当前）")
        rows.append((METHODS.get(s.method, s.method), s.address, s.user_agent[:60], local_time(s.created_at, tz),
                     local_time(s.last_seen_at, tz), end))
    body = render('<h1>我的登录</h1><p class="sub">$who · 角色：$role</p>$grid', who=me.label, role=me.role,
                  grid=table(["方式", "地址", "浏览器", "登录于", "最近活动", ""], rows, empty="没有登录"))
    return frame(request, "我的登录", body, active="account")


async def end_session(request: web.Request) -> web.StreamResponse:
    me = signed_in(request)
    ended = await request.config_dict[SIGNIN].revoke(path_id(request), userid=me.userid)
    await tell(request, "已结束该登录。" if ended else "没有这个登录（可能已结束）。")
    raise web.HTTPSeeOther("/console/account")
