"""The customer page's data-rights actions, for admins: 导出 JSON (a download) and 删除并匿名化
(a confirmation form, then the erasure). Both are audited with the signed-in member; the erasure's
audit target is the internal customer id, and the flash afterwards names nobody."""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.appkeys import CLOCK
from bot.console.frame import actor, frame, path_id, reader, signed_in, tell, writer
from bot.console.html import render, url
from bot.feature import ConsolePage
from bot.roles import Role
from handlers.privacy.commands import rows_line
from handlers.privacy.export import export_customer, summary
from handlers.privacy.service import erase, export
from storage.models import Customer
from storage.repos import AuditRepo


async def _customer(session: AsyncSession, customer_id: int) -> Customer:
    row = await session.get(Customer, customer_id)
    if row is None:
        raise web.HTTPNotFound(text="没有这位客户。")
    return row


async def export_json(request: web.Request) -> web.StreamResponse:
    customer_id, now = path_id(request), request.config_dict[CLOCK].now()
    async with writer(request).begin() as session:
        customer = await _customer(session, customer_id)
        data = await export(session, customer, actor=actor(request), via="console", now=now)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return web.Response(text=body, content_type="application/json", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'})


async def erase_form(request: web.Request) -> web.Response:
    customer_id, now = path_id(request), request.config_dict[CLOCK].now()
    async with reader(request)() as session:
        customer = await _customer(session, customer_id)
        data = await export_customer(session, customer, now=now)
        name, ext = customer.name or "（未命名）", customer.external_userid
    async with writer(request).begin() as session:  # the form shows who they are: a view like the detail page
        AuditRepo(session).record(actor=actor(request), action="console_view_customer", target=ext,
                                  detail={"page": "erase"}, now=now)
    body = render(
        '<p><a href="$back">← 返回客户</a></p><h1>删除并匿名化：$name</h1>'
        '<p>外部联系人 ID：$ext</p><p>将删除或匿名化这位客户的全部数据：$summary。'
        '消息和发件记录只保留不含内容的统计行；审计记录里只留下内部编号 #$id。<strong>删除后不可恢复。</strong></p>'
        '<form method="post" action="$action"><input type="hidden" name="csrf" value="$csrf">'
        '<p><label><input type="checkbox" name="confirm" value="yes" required> 我确认删除这位客户的全部数据</label></p>'
        '<button type="submit">删除并匿名化</button></form>',
        back=url(f"/console/customers/{customer_id}"), name=name, ext=ext, summary=summary(data), id=customer_id,
        action=f"/console/customers/{customer_id}/erase", csrf=signed_in(request).csrf)
    return frame(request, "删除客户数据", body, active="customers")


async def erase_now(request: web.Request) -> web.StreamResponse:
    customer_id, now = path_id(request), request.config_dict[CLOCK].now()
    form = await request.post()
    if form.get("confirm") != "yes":
        await tell(request, "没有删除：请勾选确认后再提交。")
        raise web.HTTPSeeOther(f"/console/customers/{customer_id}/erase")
    async with writer(request).begin() as session:
        customer = await _customer(session, customer_id)
        erasure = await erase(session, [customer], actor=actor(request), via="console", now=now)
    await tell(request, f"客户 #{customer_id} 的数据已删除并匿名化：{rows_line(erasure)}。")
    raise web.HTTPSeeOther("/console/customers")


PAGES = (
    ConsolePage("/customers/{id}/export", export_json, role=Role.ADMIN, customer_action="导出 JSON"),
    ConsolePage("/customers/{id}/erase", erase_form, role=Role.ADMIN, customer_action="删除并匿名化"),
    ConsolePage("/customers/{id}/erase", erase_now, method="POST", role=Role.ADMIN),
)
