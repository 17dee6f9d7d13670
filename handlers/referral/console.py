"""The console's 邀请活动 page: referral campaigns with their tiers, participants and who reached a
tier (the same list as /referral winners); operators create and end campaigns here with the
functions /referral create and /referral end run."""

from __future__ import annotations

from aiohttp import web

from bot.console.actions import Form, act, form_of, values
from bot.console.frame import allowed, context, frame, reader, session_of, staff_names, tell, who
from bot.console.html import Safe, join, render, table
from bot.feature import ConsolePage
from bot.roles import member_words
from handlers.referral.commands import REFERRAL, created_text, ended_text, parse_tier
from handlers.referral.service import create_referral, end_referral, list_referrals, referral_winners
from handlers.services import Ctx
from handlers.staff.lookup import find_staff
from storage.repos import ReferralRepo

STATE = {"active": "进行中", "ended": "已结束"}

CREATE_FORM = """<h2>新建邀请活动</h2>
<form method="post" action="/console/referrals/create" class="act" id="referral-create">
<input type="hidden" name="csrf" value="$csrf">
<label>标识 <input name="key" value="$key" maxlength="32" required placeholder="spring_invite"></label>
<label>名称 <input name="name" value="$name" maxlength="64" required placeholder="春季老带新"></label>
<label>接待员工 <select name="staff" required>$staff</select></label>
<label class="wide">奖励档位（每行一档：人数=奖品） <textarea name="tiers" rows="3" required
 placeholder="3=小样礼包&#10;10=面霜1瓶">$tiers</textarea></label>
<button type="submit">创建活动</button></form>"""


async def referrals(request: web.Request) -> web.Response:
    return await referrals_page(request)


async def referrals_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    parts: list[Safe] = [render("<h1>邀请活动</h1><p class=\"sub\">老带新：客户发送「邀请有礼」领取专属二维码，"
                                "好友添加后计数，达到档位自动通知客户和接待员工。</p>")]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    csrf, may_end = session_of(request).csrf, allowed(request, end)
    async with reader(request)() as session:
        ctx = context(request, session)
        names = await staff_names(session)
        for c in reversed(await list_referrals(ctx, include_ended=True)):
            standings = await ReferralRepo(session).standings(c.id)
            winners = await referral_winners(ctx, c.key)
            tiers = "；".join(f"{t['invites']} 人 → {t['gift']}" for t in c.tiers)
            stop = render('<form method="post" action="/console/referrals/end" class="inline">'
                          '<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="key" value="$key">'
                          '<button type="submit" class="secondary">结束活动</button></form>', csrf=csrf, key=c.key) \
                if may_end and c.status == "active" else Safe("")
            grid = table(["客户", "外部联系人 ID", "有效邀请", "档位", "奖品"],
                         [(w["name"] or "—", w["external_userid"], w["invites"], f"第{w['tier']}档", w["gift"])
                          for w in winners], empty="还没有人达到奖励档位")
            parts.append(render('<section class="referral" data-key="$key"><h3>$name <small>$state</small> $stop</h3>'
                                '<p class="sub">$key · 接待：$staff · 档位：$tiers · 参与 $n 人</p>'
                                '<h4>达标名单</h4>$grid</section>', key=c.key, name=c.name,
                                state=STATE.get(c.status, c.status), stop=stop, staff=who(c.staff_userid, names),
                                tiers=tiers, n=len(standings), grid=grid))
        if len(parts) == 1 + bool(error):
            parts.append(render('<p class="empty">还没有邀请活动。</p>'))
        if allowed(request, create):
            members = await ctx.repos.staff.list()
            v = values(form, key="", name="", staff="", tiers="")
            options = join(render('<option value="$u"$sel>$label</option>', u=m.userid,
                                  sel=Safe(" selected") if m.userid == v["staff"] else Safe(""),
                                  label=member_words(m.name, m.userid))
                           for m in members if m.active)
            parts.append(render(CREATE_FORM, csrf=csrf, staff=options, key=v["key"], name=v["name"],
                                tiers=v["tiers"]))
    return frame(request, "邀请活动", join(parts), active="referrals", status=400 if error else 200)


async def create(request: web.Request) -> web.StreamResponse:
    form = await form_of(request, limit=2000)

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        tiers = [parse_tier(line) for line in form.get("tiers", "").replace("\r", "").split("\n") if line.strip()]
        staff = await find_staff(ctx, form.get("staff", "")[:64])
        campaign = await create_referral(ctx, key=form.get("key", "")[:64], name=form.get("name", "")[:64],
                                         staff_userid=staff.userid,
                                         tiers=[{"invites": n, "gift": gift[:64]} for n, gift in tiers],
                                         actor=ctx.staff.userid)
        return created_text(campaign)

    outcome = await act(request, work, action="console_referral_create", target=form.get("key", ""))
    if not outcome.ok:
        return await referrals_page(request, form=form, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/referrals")


async def end(request: web.Request) -> web.StreamResponse:
    key = (await form_of(request, limit=64)).get("key", "")

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        return ended_text(await end_referral(ctx, key, actor=ctx.staff.userid))

    outcome = await act(request, work, action="console_referral_end", target=key)
    if not outcome.ok:
        return await referrals_page(request, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/referrals")


PAGES = (ConsolePage("/referrals", referrals, title="邀请活动", order=45, role=REFERRAL.role),
         ConsolePage("/referrals/create", create, method="POST", role=REFERRAL.role),
         ConsolePage("/referrals/end", end, method="POST", role=REFERRAL.role))
