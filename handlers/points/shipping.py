"""Where a redeemed reward goes: after "确认兑换" of a reward that ships, the persona asks for receiver, phone
and address in one message (or offers the last confirmed one: "还寄到上次的地址吗？"); the customer answers in
their own words, in one message or several ("张三 13800138000 浙江省杭州市西湖区xx路1号"); what they said is
read back, and their yes confirms it on the redemption, where `/redeem list` and the chat sidebar show it.
A customer who does not answer is reminded once (`[points] address_remind_hours`), as a push through the gate.

What is kept is the three fields on the redemption, nothing else: erasing the customer deletes their
redemptions, and the export lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select

from bot.wecom.markdown import plain
from handlers.antispam.gate import send_push
from handlers.points.config import PointsConfig
from handlers.replies.voice import Say
from handlers.services import Ctx
from storage.models import Customer, Redemption, Reward

ASKED, PROPOSED, CONFIRMED = "asked", "proposed", "confirmed"
CLEARED = "cleared"  # past [retention] address_days (handlers/privacy/addresses.py)
OPEN = (ASKED, PROPOSED)

# A mobile number (spaces or dashes allowed: "138 0013 8000", "+86 138-0013-8000"), else a landline with its area code.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d{4}){2})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[\s-]?\d{7,8})(?!\d)")
LABEL = re.compile(r"(?:我的|我)?(?:收货人姓名|收件人姓名|收货人|收件人|联系人|姓名|名字|手机号码|手机号|"
                   r"联系电话|联系方式|电话号码|电话|手机|收货地址|收件地址|邮寄地址|详细地址|地址)"
                   r"(?:也)?(?:换成|改成|改为|换为|更新为|变成|是|为|写)?\s*[:：]?")
NAME_LABEL = re.compile(r"收货人|收件人|联系人|姓名|名字")
ROOM = re.compile(r"(?=.*\d)[0-9A-Za-z#\-]{1,8}")  # "301", "B-2": a room number, never a name ("Tom")
LEAD = re.compile(r"^(?:好的|好|嗯嗯|嗯|麻烦|请|帮我)?(?:寄到|寄给|送到|发到|邮到)")
SPLIT = re.compile(r"[\s,，;；、。/|\n]+")
HAN = r"\u4e00-\u9fff"
PLACE = re.compile(r"省|自治区|市|区|县|镇|乡|街道|路|街|大道|号|村|弄|巷|栋|幢|单元|室|楼|小区|大厦|花园|"
                   r"公寓|广场|苑|园|座|层")
PLACE_END = "省市区县镇乡路街道号村弄巷栋幢室楼园苑座层"
NAME = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}](?:先生|女士|小姐)|[A-Za-z][A-Za-z .]{{1,30}}")
PROVINCES = ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
             "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门").split()
# cities often written without 市 ("杭州 西湖区 文三路1号"): before a place they start the address, never the receiver
CITIES = frozenset("广州 深圳 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛 济南 宁波 厦门 福州 合肥 昆明 沈阳 大连 "
                   "哈尔滨 长春 石家庄 太原 南昌 贵阳 南宁 海口 三亚 兰州 银川 西宁 乌鲁木齐 呼和浩特 拉萨 无锡 常州 "
                   "佛山 东莞 珠海 中山 惠州 温州 绍兴 嘉兴 金华 台州 湖州 扬州 南通 徐州 烟台 潍坊 泉州 漳州 洛阳 "
                   "宜昌 襄阳 株洲 岳阳 桂林 柳州 绵阳 遵义 保定 唐山 廊坊".split()) | frozenset(PROVINCES)
GLUED = re.compile(rf"^([{HAN}]{{2,4}}?)((?:{'|'.join(PROVINCES)}).{{4,}})$")  # "张三浙江省杭州市…"
QUESTION = re.compile(r"[?？]|吗|呢$|什么|怎么|多少|多久|几天|哪里|哪儿|为啥|为什么|啥|咋|有没有|能不能|"
                      r"可不可以|是否|能否")
# words a bare 2-4 character answer may be that are no one's name
NOT_NAMES = frozenset("好的 好滴 好嘞 谢谢 谢啦 多谢 不用 算了 稍等 等下 等等 等一下 知道了 收到 明白 "
                      "明白了 嗯嗯 哈哈 哈哈哈 你好 您好 在吗 没有 不要 取消 人工 客服 确认 确定 对的 "
                      "是的 没错 可以 不对 不是 错了 马上 晚点 回头 一会 待会 好吧 行吧 辛苦了 辛苦 在的 "
                      "换成 改成 改为 换一下 改一下 更换 ok".split())
YES = frozenset("是 对 是的 对的 嗯 嗯嗯 好 好的 好滴 没错 没问题 正确 对对 对对对 确认 确定 确认无误 "
                "无误 可以 可以的 行 ok 寄这里 就寄这里 就这个 就这 是这个 对没错 对的没错 是的没错 "
                "寄到这 寄这".split())
NO = frozenset("不对 不是 错了 不是的 不对的 换地址 换个地址 改地址 改一下 要改 新地址 寄别的地方 "
               "不寄这里 地址变了 搬家了 换了".split())
_TRIM = " \t。.,，!！~～吧啊呀了呢哦啦嘛"
# what the persona said last that a bare name ("张三") or yes ("对的") may answer
ASKING = ("points.redeem_done_ship#", "points.address_missing#", "points.address_ask#", "points.address_remind#")
READ_BACK = ("points.redeem_done_again#", "points.address_check#")
REMINDER_WORDS = {"opted_out": "客户已退订推送", "weekly_cap": "本周推送已满", "daily_cap": "推送已满",
                  "kf_window": "聊天窗口已关闭", "kf_limit": "聊天窗口已满", "no_route": "聊天窗口已关闭",
                  "lost": "客户已删除好友", "switched_off": "推送已关闭", "contradicts": "未发出"}


@dataclass(frozen=True, slots=True)
class Told:
    """What one message told of the address; empty fields were not said."""

    name: str = ""
    phone: str = ""
    address: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.phone or self.address)


def _is_place(segment: str) -> bool:
    if len(segment) <= 4 and re.fullmatch(f"[{HAN}]+", segment):
        return segment[-1] in PLACE_END  # "杭州市", "文三路"; "路遥" is a name
    return PLACE.search(segment) is not None and (len(segment) >= 4 or re.search(r"\d", segment) is not None)


def parse_address(text: str) -> Told:
    """Receiver, phone and address in a customer's own words, any order, labelled or not:
    "张三 13800138000 浙江省杭州市西湖区xx路1号", "收货人：张三，电话：138 0013 8000，地址：…"."""
    said = text.strip()
    phone = ""
    if (m := MOBILE.search(said)) or (m := LANDLINE.search(said)):
        phone = re.sub(r"[\s-]", "", m[1]) if m.re is MOBILE else re.sub(r"\s", "-", m[1])
        said = f"{said[:m.start()]} {said[m.end():]}"
    said = LABEL.sub(" ", said)
    # each piece a place, a name that may be the receiver's, or neither; "寄到我公司吧" names nobody
    pieces: list[tuple[str, str]] = []
    for raw in SPLIT.split(said):
        segment = LEAD.sub("", raw).strip(_TRIM)
        if not segment:
            continue
        if (glued := GLUED.match(segment)) and not _is_place(glued[1]):
            pieces.append(("name", glued[1]))
            segment = glued[2]
        if _is_place(segment) or (pieces and pieces[-1][0] == "place" and ROOM.fullmatch(segment)):  # "… 2号楼 301"
            pieces.append(("place", segment))
        elif segment != raw.strip(_TRIM) and LEAD.match(raw.strip()):
            pieces.append(("other", segment))
        else:
            named = re.sub(r"(?<=..)收$", "", segment)  # "李雷收"
            kind = "name" if NAME.fullmatch(named) and named not in NOT_NAMES and named[0] not in "我你他她这那" \
                else "other"
            pieces.append((kind, named))
    names = [i for i, (kind, _) in enumerate(pieces) if kind == "name"]
    # "上海 静安区 … Tom", "杭州 西湖区 … 张三": a name-like piece right before a place starts the address, while
    # another piece may be the receiver
    for i in names:
        left = [j for j in names if pieces[j][0] == "name" and j != i]
        if (left or pieces[i][1] in CITIES) and i + 1 < len(pieces) and pieces[i + 1][0] == "place":
            pieces[i] = ("place", pieces[i][1])
    places = [piece for kind, piece in pieces if kind == "place"]
    name = next((piece for kind, piece in pieces if kind == "name"), "")
    address = "".join(places) if places else ""
    if address and not phone and not name and (len(places) < 2 and len(PLACE.findall(address)) < 2):
        address = ""  # "我在杭州市" is no address given
    if name and not phone and not address and not NAME_LABEL.search(text):
        name = ""  # a bare "张三" is a name only right after the persona asked for one (take_address)
    return Told(name[:32], phone[:20], address[:200])


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text).strip(_TRIM).lower()


def missing_of(r: Redemption) -> list[str]:
    return [label for label, value in (("收货人", r.ship_name), ("电话", r.ship_phone), ("地址", r.ship_address))
            if not value]


def address_text(r: Redemption) -> str:
    """"张三 13800138000 浙江省杭州市西湖区xx路1号", as staff and the customer read it."""
    return " ".join(part for part in (r.ship_name, r.ship_phone, r.ship_address) if part)


def _facts(r: Redemption) -> dict[str, object]:
    return {"receiver": r.ship_name, "phone": r.ship_phone, "ship_to": r.ship_address}


async def last_address(ctx: Ctx, customer_id: int) -> Redemption | None:
    """The customer's latest redemption with a confirmed address ("还寄到上次的地址吗？")."""
    stmt = (select(Redemption).where(Redemption.customer_id == customer_id, Redemption.address_status == CONFIRMED)
            .order_by(Redemption.address_confirmed_at.desc(), Redemption.id.desc()).limit(1))
    return await ctx.session.scalar(stmt)


async def start_asking(ctx: Ctx, customer: Customer, redemption: Redemption, reward: Reward, after: int) -> Say:
    """Right after "确认兑换" of a reward that ships: the last confirmed address offered, else all three asked."""
    done = {"reward": reward.name, "cost": redemption.cost, "points": after}
    last = await last_address(ctx, customer.id)
    if last is None:
        redemption.address_status = ASKED
        return Say("points.redeem_done_ship", done)
    redemption.address_status = PROPOSED
    redemption.ship_name, redemption.ship_phone, redemption.ship_address = \
        last.ship_name, last.ship_phone, last.ship_address
    return Say("points.redeem_done_again", {**done, **_facts(redemption)})


async def _open_of(ctx: Ctx, customer_id: int) -> list[Redemption]:
    stmt = (select(Redemption).where(Redemption.customer_id == customer_id, Redemption.status == "ordered",
                                     Redemption.address_status.in_(OPEN)).order_by(Redemption.id))
    return list((await ctx.session.scalars(stmt)).all())


async def waiting_for_address(ctx: Ctx, customer_id: int) -> Redemption | None:
    stmt = (select(Redemption).where(Redemption.customer_id == customer_id, Redemption.status == "ordered",
                                     Redemption.address_status.in_(OPEN))
            .order_by(Redemption.id.desc()).limit(1))
    return await ctx.session.scalar(stmt)


async def take_address(ctx: Ctx, customer: Customer, text: str, msgid: str) -> Say | None:
    """The customer's answer while a redemption waits for its address: parts of it kept, all three read back,
    their yes confirms it (staff are told), their no asks again; None when the message is no such answer
    (nothing waits, or it is about something else: "我的积分" is answered as usual)."""
    bare = _bare(text)
    if QUESTION.search(text) or not any(r.ships for r in ctx.settings.of(PointsConfig).rewards):
        return None  # no query for shops whose rewards never ship (or that have none)
    told = parse_address(text)
    if not (told or bare in YES or bare in NO or NAME.fullmatch(bare)):
        return None  # no query for what cannot be an answer ("多久发货呀，我急用")
    redemption = await waiting_for_address(ctx, customer.id)
    if redemption is None:
        return None
    last = await _last_said(ctx, customer, msgid)
    reward = await ctx.session.get(Reward, redemption.reward_id)
    reward_name = reward.name if reward else ""
    if redemption.address_status == PROPOSED and last.startswith(READ_BACK) and bare in YES:
        for other in await _open_of(ctx, customer.id):  # two rewards redeemed before the answer: one parcel address
            other.ship_name, other.ship_phone, other.ship_address = \
                redemption.ship_name, redemption.ship_phone, redemption.ship_address
            other.address_status, other.address_confirmed_at = CONFIRMED, ctx.clock.now()
            other_reward = await ctx.session.get(Reward, other.reward_id)
            _tell_fulfillers(ctx, other, other_reward.name if other_reward else "", customer)
        return Say("points.address_saved", {"reward": reward_name, **_facts(redemption)})
    if not told and last.startswith(ASKING) and NAME.fullmatch(bare) and bare not in NOT_NAMES and \
            bare not in YES and bare not in NO:
        told = Told(name=text.strip().strip(_TRIM))  # "张三" right after the persona asked for it
    if not told:
        if bare in NO and last.startswith((*READ_BACK, *ASKING)):
            redemption.address_status = ASKED
            redemption.ship_name = redemption.ship_phone = redemption.ship_address = ""
            return Say("points.address_ask", {"reward": reward_name})
        return None
    if told.name:
        redemption.ship_name = told.name
    if told.phone:
        redemption.ship_phone = told.phone
    if told.address:
        redemption.ship_address = told.address
    missing = missing_of(redemption)
    if missing:
        redemption.address_status = ASKED
        return Say("points.address_missing", {"reward": reward_name, "missing": "和".join(missing),
                                              "have": address_text(redemption)})
    redemption.address_status = PROPOSED
    return Say("points.address_check", {"reward": reward_name, **_facts(redemption)})


async def _last_said(ctx: Ctx, customer: Customer, msgid: str) -> str:
    history = await ctx.repos.messages.recent(customer.id, 6, channel="kf")
    last = next((m for m in reversed(history) if m.direction == "out" and m.external_msgid != msgid), None)
    return last.template_key if last is not None else ""


def _tell_fulfillers(ctx: Ctx, redemption: Redemption, reward: str, customer: Customer) -> None:
    from handlers.points.rewards import fulfillers

    who = plain(customer.name or customer.remark or customer.external_userid, 40)
    text = (f"【积分兑换 #{redemption.id}】{who} 确认了「{plain(reward, 64)}」的收货信息：{address_text(redemption)}。"
            f"发出后回复：/redeem done {redemption.id}")
    for userid in fulfillers(ctx):
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, userid, text)


def staff_line(r: Redemption, tz: tzinfo | None) -> str:
    """Where the redemption stands on its address, for /redeem list and the sidebar ("" when nothing ships)."""
    if r.address_status == CONFIRMED:
        return f"收货：{address_text(r)}"
    if r.address_status not in OPEN:
        return ""
    if r.address_status == PROPOSED:
        head = f"等客户确认收货信息：{address_text(r)}"
    else:
        have = address_text(r)
        head = f"等客户提供收货地址（还差{'、'.join(missing_of(r))}{'；已知 ' + have if have else ''}）"
    return head + _reminder(r, tz)


def _reminder(r: Redemption, tz: tzinfo | None) -> str:
    if r.address_reminded_at is None:
        return ""
    when = f"{r.address_reminded_at.astimezone(tz):%m-%d %H:%M}"
    if r.address_reminder in ("queued", "deferred"):
        return f"，{when} 已提醒一次，仍未回复"
    why = REMINDER_WORDS.get(r.address_reminder, r.address_reminder)
    return f"，{when} 提醒未发出（{why}），请在企业微信里联系客户"


PAGE = 200


async def remind_addresses(ctx: Ctx, fire_time: datetime) -> None:
    """Job (hourly): a customer who has not given (or confirmed) the address `address_remind_hours` after
    redeeming hears one reminder, a push through the gate (quiet hours, caps, opt-out); whatever the gate
    decides is kept on the redemption, so it is never sent twice and staff see it."""
    hours = ctx.settings.of(PointsConfig).address_remind_hours
    if not hours:
        return
    now = ctx.clock.now()
    stmt = (select(Redemption, Customer).join(Customer, Customer.id == Redemption.customer_id)
            .where(Redemption.status == "ordered", Redemption.address_status.in_(OPEN),
                   Redemption.address_reminded_at.is_(None), Redemption.ordered_at <= now - timedelta(hours=hours))
            .order_by(Redemption.id).limit(PAGE))
    for redemption, customer in (await ctx.session.execute(stmt)).all():
        reward = await ctx.session.get(Reward, redemption.reward_id)
        gate, named = ctx.services.push_gate, reward.name if reward else ""
        if redemption.address_status == PROPOSED:  # the offered address read back: their yes confirms what they see
            outcome = await send_push(ctx, gate, customer, "points.address_check", open_kfid=redemption.open_kfid,
                                      name=customer.name, reward=named, receiver=redemption.ship_name,
                                      phone=redemption.ship_phone, ship_to=redemption.ship_address)
        else:
            outcome = await send_push(ctx, gate, customer, "points.address_remind", open_kfid=redemption.open_kfid,
                                      name=customer.name, reward=named)
        redemption.address_reminded_at = now
        redemption.address_reminder = outcome.status if outcome.item is not None else outcome.reason[:16]


async def sidebar_redemptions(ctx: Ctx, customer: Customer) -> str:
    """The chat sidebar's 兑换: what waits to be shipped with where it goes (or that the address is still awaited),
    else the latest one shipped; "" when they never redeemed."""
    tz = ctx.local_now.tzinfo
    stmt = (select(Redemption, Reward).join(Reward, Reward.id == Redemption.reward_id)
            .where(Redemption.customer_id == customer.id, Redemption.status.in_(("ordered", "shipped")))
            .order_by(Redemption.id.desc()).limit(5))
    rows = (await ctx.session.execute(stmt)).all()
    waiting = [(r, w) for r, w in rows if r.status == "ordered"]
    if waiting:
        return "；".join(f"#{r.id}「{plain(w.name, 30)}」待发货" + (f"，{line}" if (line := staff_line(r, tz)) else "")
                        for r, w in waiting)
    if not rows:
        return ""
    r, w = rows[0]
    shipped = f" {r.shipped_at.astimezone(tz):%m-%d}" if r.shipped_at else ""
    return f"#{r.id}「{plain(w.name, 30)}」{shipped} 已发货"
