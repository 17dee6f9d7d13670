"""KOCs and suggestion-givers: the suggestion detector, suggestions recorded from the kf chat and
repeat givers tagged in WeCom, /koc with the parts of each score, /koc tag (tag, advisor, notice),
/suggestions, the purchases a score reads, and the console's 客户洞察 page."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Sequence

import pytest
from sqlalchemy import select

from handlers.insights.detector import is_suggestion, rule_verdict
from handlers.insights.model import SuggestionModel, load_exemplars
from handlers.insights.purchases import paid_orders
from handlers.insights.text import fit_lines
from persona.embed import Vectors, shared_embedder
from storage.models import (
    AuditLog,
    Checkin,
    CheckinCampaign,
    Customer,
    CustomerGroup,
    GroupMembership,
    ReferralCampaign,
    ReferralInvite,
    ReferralParticipant,
    ShopOrder,
    Suggestion,
)
from storage.repos import CustomerRepo, StaffRepo
from storage.repos.insights import KocRepo
from tests import escalation_kit as kit
from tests.console_kit import ConsoleClient
from tests.harness import BotUnderTest, make_config
from tests.service_kit import say

clock = kit.clock  # Monday 2026-03-02 10:00 in Shanghai

SUGGESTIONS = [
    "建议你们出个旅行装", "希望能出大瓶装的面霜", "要是能出无香版就好了", "你们能不能出一款男士的",
    "如果有小样装就更好了", "给你们提个建议：包装可以做得环保一点", "期待出秋冬限定色", "为什么不出替换装呢",
    "希望包装改进一下", "可以考虑增加一个敏感肌系列", "有个小意见，泵头老是坏",
]
NOT_SUGGESTIONS = [
    "希望你们早点发货",  # a delivery complaint: the service queue's, not a product idea
    "能不能出发票", "什么时候能出货", "能不能改一下地址", "希望快点回复我", "希望今天能到",
    "有什么建议吗", "求建议，干皮用哪个", "建议我用哪款？", "谢谢你的建议", "你的建议是什么",  # asking for advice
    "如果有优惠告诉我",  # a condition, not a wish
    "希望有用", "希望皮肤快点好起来", "可以加个好友吗", "你好", "打卡 今天读了30页", "/suggestions", "",
]


@pytest.mark.parametrize("text", SUGGESTIONS)
def test_a_proposal_is_a_suggestion(text: str) -> None:
    assert is_suggestion(text)


@pytest.mark.parametrize("text", NOT_SUGGESTIONS)
def test_service_wishes_questions_and_small_talk_are_not_suggestions(text: str) -> None:
    assert not is_suggestion(text)


async def test_the_longest_streak_counts_consecutive_days_within_one_camp(sessions, clock) -> None:
    now, start = clock.now(), date(2026, 3, 1)
    async with sessions.begin() as s:
        ann = await CustomerRepo(s).upsert("wmAnn", now=now)
        bob = await CustomerRepo(s).upsert("wmBob", now=now)
        camps = [CheckinCampaign(key=f"c{i}", name=f"c{i}", start_date=start, end_date=start + timedelta(days=20),
                                 daily_window="06:00-23:00", remind_at="20:00", milestones=[], created_at=now)
                 for i in (1, 2)]
        s.add_all(camps)
        await s.flush()

        def day(camp: CheckinCampaign, who: Customer, n: int) -> Checkin:
            return Checkin(campaign_id=camp.id, customer_id=who.id, day=start + timedelta(days=n - 1), day_index=n,
                           kind="on_time", created_at=now)

        # Ann: days 1-3 and 5 of camp 1 (a gap), day 4 in camp 2 does not bridge it; Bob: 2-3, and 9 of camp 2
        s.add_all([day(camps[0], ann, n) for n in (1, 2, 3, 5)] + [day(camps[1], ann, 4)]
                  + [day(camps[0], bob, n) for n in (2, 3)] + [day(camps[1], bob, 9)])
    async with sessions() as s:
        assert await KocRepo(s).longest_streaks(start) == {ann.id: 3, bob.id: 2}
        assert await KocRepo(s).longest_streaks(start + timedelta(days=1)) == {ann.id: 2, bob.id: 2}  # the window


def test_a_long_list_keeps_whole_lines_within_an_app_message() -> None:
    lines = [f"{i}. 客户{i} 建议：" + "很长的建议" * 20 for i in range(50)]
    text = fit_lines("最近 50 条客户建议：", lines, "尾行")
    assert len(text.encode()) <= 2048 and text.endswith("尾行")
    shown = [line for line in text.split("\n") if line in lines]
    assert shown == lines[:len(shown)] and f"另有 {50 - len(shown)} 条未显示" in text


@pytest.mark.parametrize(("data", "key"), [
    ({"koc": {"tag": "KOC"}}, "koc.tag"),  # needs its tag group
    ({"koc": {"weight_invites": -1}}, "koc.weight_invites"),
    ({"koc": {"top": 0}}, "koc.top"),
    ({"koc": {"advisor": "nobody"}, "staff": {"advisors": ["li.na"]}}, "koc.advisor"),
    ({"suggestions": {"repeat": 0}}, "suggestions.repeat"),
    ({"suggestions": {"tag": "产品体验官候选"}}, "suggestions.tag"),
])
def test_a_bad_insights_setting_names_its_key(data: dict, key: str) -> None:
    from bot.app import config_from
    from bot.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        config_from(data, {})
    assert info.value.key == key


# --- purchases ------------------------------------------------------------------------------------


async def test_purchases_count_paid_orders_of_known_customers_in_the_window(sessions, clock) -> None:
    now = clock.now()
    async with sessions.begin() as s:
        repo = CustomerRepo(s)
        one, two = await repo.upsert("wmBuyer01", now=now), await repo.upsert("wmBuyer02", now=now)

        def order(n: int, customer_id: int | None, status: str, days_ago: int) -> ShopOrder:
            return ShopOrder(order_id=f"T{n}", customer_id=customer_id, amount_fen=9900, items=[], channel="天猫",
                             status=status, paid_at=now - timedelta(days=days_ago), source="api", created_at=now)

        s.add_all([order(1, one.id, "paid", 1), order(2, one.id, "paid", 2), order(3, one.id, "refunded", 3),
                   order(4, one.id, "paid", 100), order(5, None, "paid", 0),  # parked, not matched yet
                   order(6, two.id, "paid", 0)])
    async with sessions() as s:
        assert await paid_orders(s, now - timedelta(days=90)) == {one.id: 2, two.id: 1}


# --- through the emulator ---------------------------------------------------------------------------


async def start(db_url: str, wecom, clock, **koc) -> BotUnderTest:
    config = make_config(db_url, wecom.base_url, staff=kit.STAFF,
                         koc={"advisor": "li.na", "min_score": 10, **koc})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@pytest.fixture
async def bot(db_url, wecom, clock):
    started = await start(db_url, wecom, clock)
    yield started
    await started.stop()


async def suggestions_of(bot, ext: str) -> list[str]:
    async with bot.sessions() as s:
        rows = await s.scalars(select(Suggestion.text).join(Customer, Customer.id == Suggestion.customer_id)
                               .where(Customer.external_userid == ext).order_by(Suggestion.id))
        return list(rows.all())


async def test_suggestions_are_kept_and_a_repeat_giver_is_tagged_in_wecom(bot, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmSue", name="苏苏", welcome=False)
    await bot.drain()
    for text in ("希望你们早点发货", "建议你们出个旅行装"):
        await wecom.customer_says("wmSue", text)
        await bot.drain()
        clock.advance(60)
    assert await suggestions_of(bot, "wmSue") == ["建议你们出个旅行装"]
    assert wecom.customer_tags("zhang.wei", "wmSue") == []  # one suggestion: not yet a candidate
    assert len(wecom.customer_inbox("wmSue")) >= 2  # still answered as usual
    await wecom.customer_says("wmSue", "要是能出无香版就好了")
    await bot.drain()
    assert await suggestions_of(bot, "wmSue") == ["建议你们出个旅行装", "要是能出无香版就好了"]
    assert wecom.customer_tags("zhang.wei", "wmSue") == ["产品体验官候选"]

    reply = await say(bot, wecom, "chen.jing", "/suggestions")
    first, second = reply.split("\n")[1:3]
    assert "苏苏（共 2 条）：要是能出无香版就好了" in first and "建议你们出个旅行装" in second
    assert "发货" not in reply
    too_many = await say(bot, wecom, "chen.jing", "/suggestions 100")  # suggestions are counted, not people
    assert "「100」应为 1 到 50 之间的条数。" in too_many, too_many
    assert "「100」应为 1 到 50 之间的人数。" in await say(bot, wecom, "chen.jing", "/koc 100")


async def test_the_customers_own_skin_told_is_acknowledged_never_kept_as_a_suggestion(bot, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmSkin", name="小干", welcome=False)
    await bot.drain()
    for text in ("我皮肤很干", "我是干皮 冬天脸特别紧"):
        before = len(wecom.customer_inbox("wmSkin"))
        await wecom.customer_says("wmSkin", text)
        await bot.drain()
        clock.advance(60)
        (reply,) = wecom.customer_inbox("wmSkin")[before:]
        assert "建议" not in reply and "想法" not in reply, (text, reply)  # not thanked for an idea
    assert await suggestions_of(bot, "wmSkin") == []


MODEL_ONLY = "包装太难撕了，换个设计吧"  # no rule word: only the knowledge model sees a suggestion here


@pytest.mark.parametrize("text", ["希望你们早点发货", "打卡 今天读了30页", "求建议，干皮用哪个", "有没有无香的",
                                  "那你们店里有没有口红卖", "你家有没有男士洗面奶", "含不含酒精", "干皮该用什么面霜",
                                  "在吗", "/koc", "我收到的瓶子是漏的，洒了一半", "盖子碎了",
                                  "哦 满199才能用啊 那算了 我就买一个凑不够",  # giving up on an offer
                                  "外盒上那个刮开的码是干嘛用的", "小柚 你们杭州下雪没",  # asking
                                  "栓Q 溜了溜了",  # leaving
                                  "我皮肤很干", "我是干皮 冬天脸特别紧",  # the customer's own skin
                                  "你们的防晒霜SPF多少", "这个精华多少毫升",  # a fact asked (the console tour)
                                  # how to use it, then their own case: /suggestions listed it (sandbox, 12-06)
                                  "你们的眼霜能和A醇一起用吗，我用的是某某品牌的0.3%", "孕妇能用吗，我怀孕三个月了",
                                  # spending points: /suggestions listed "兑换 柚子小样礼包" (staff tour, 12-06)
                                  "兑换 柚子小样礼包", "我想换柚子小样礼包", "用积分换个小样", "取消兑换", "换那个小样",
                                  "我想换个颜色"])
def test_service_matters_check_ins_questions_and_short_texts_never_reach_the_model(text: str) -> None:
    assert rule_verdict(text) is False


def test_a_proposal_that_names_a_quantity_or_is_put_as_a_question_still_reaches_the_model() -> None:
    assert rule_verdict("身体乳改成大泵头的吧，一次按不出多少") is None  # proposes: the model decides
    assert rule_verdict("价签能贴在外包装上吗，送人的时候撕不掉很尴尬") is None
    assert rule_verdict("包装换个设计好吗，现在太难撕了") is None
    assert rule_verdict("积分兑换多加点正装的选项") is None  # a wish about the points programme, not spending them


class _RecordingEmbedder:
    """The shared model, noting the threads that call it."""

    def __init__(self) -> None:
        self.model = shared_embedder()
        self.callers: set[int] = set()

    def query(self, texts: Sequence[str]) -> Vectors:
        self.callers.add(threading.get_ident())
        return self.model.query(texts)

    def passage(self, texts: Sequence[str]) -> Vectors:
        self.callers.add(threading.get_ident())
        return self.model.passage(texts)


async def test_the_model_embeds_off_the_event_loop_and_tells_a_proposal_from_a_question() -> None:
    embedder = _RecordingEmbedder()
    model = SuggestionModel(load_exemplars(), embedder=embedder)
    with pytest.raises(RuntimeError):
        model.score(MODEL_ONLY)  # never silently builds inside a handler
    assert not await model.proposes(MODEL_ONLY)  # not ready: no verdict, the build starts in the background
    await model.ready()
    assert await model.proposes(MODEL_ONLY)
    assert not await model.proposes("这款精华适合什么肤质")
    assert embedder.callers and threading.get_ident() not in embedder.callers


async def test_a_suggestion_without_rule_words_is_found_by_the_model_and_listed(bot, wecom, clock) -> None:
    assert rule_verdict(MODEL_ONLY) is None
    await wecom.add_friend("zhang.wei", "wmPia", name="皮皮", welcome=False)
    await bot.drain()
    for text in ("这个适合干皮用吗", "用了一周脸没那么干了", MODEL_ONLY):
        await wecom.customer_says("wmPia", text)
        await bot.drain()
        clock.advance(60)
    assert await suggestions_of(bot, "wmPia") == [MODEL_ONLY]  # the question and the praise are no suggestions
    assert len(wecom.customer_inbox("wmPia")) >= 3  # each still answered as usual
    reply = await say(bot, wecom, "chen.jing", "/suggestions")
    assert f"皮皮（共 1 条）：{MODEL_ONLY}" in reply


async def test_a_suggestion_is_thanked_not_answered_as_a_feeling_or_an_open_question(bot, wecom) -> None:
    from sqlalchemy import func, select

    from storage.models import UnansweredQuestion

    for ext, text in (("wmIdea1", MODEL_ONLY), ("wmIdea2", "面霜能不能出个小瓶的旅行装")):
        before = len(wecom.customer_inbox(ext))
        await wecom.customer_says(ext, text)
        await bot.drain()
        (reply,) = wecom.customer_inbox(ext)[before:]
        assert "建议" in reply or "想法" in reply or "产品" in reply, (text, reply)
        assert "人工" not in reply and "不确定" not in reply and "同事确认" not in reply, (text, reply)
    async with bot.sessions() as s:  # a suggestion is no question waiting for an answer
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_with_the_model_off_only_the_rules_find_suggestions(db_url, wecom, clock) -> None:
    config = make_config(db_url, wecom.base_url, staff=kit.STAFF, suggestions={"model": False})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        for text in (MODEL_ONLY, "建议你们出个旅行装"):
            await wecom.customer_says("wmRob", text)
            await bot.drain()
        assert await suggestions_of(bot, "wmRob") == ["建议你们出个旅行装"]
    finally:
        await bot.stop()


async def test_a_customer_typing_the_command_is_just_a_customer(bot, wecom) -> None:
    await wecom.customer_says("wmKim", "/suggestions")
    await bot.drain()
    assert await suggestions_of(bot, "wmKim") == []
    assert wecom.staff_inbox("chen.jing") == []
    advisor = await say(bot, wecom, "li.na", "/koc")  # advisors may not list KOCs either
    assert "/koc" in advisor and "KOC 排行" not in advisor


async def seed_community(bot, clock) -> None:
    """Ann: 2 friends brought (a third left), a 3-day streak, 3 messages, 1 group. Bob: 1 message.
    Cat brought 5 friends but has left herself."""
    now = clock.now()
    async with bot.sessions.begin() as s:
        repo = CustomerRepo(s)
        ann = await repo.find("wmAnn")
        cat = await repo.upsert("wmCat", now=now, name="猫猫")
        cat.status = "lost"
        friends = [await repo.upsert(f"wmNew{i}", now=now) for i in range(8)]
        campaign = ReferralCampaign(key="spring", name="春日邀请", staff_userid="zhang.wei", tiers=[], created_at=now)
        camp = CheckinCampaign(key="read7", name="7天早睡", start_date=date(2026, 2, 20), end_date=date(2026, 3, 10),
                               daily_window="06:00-23:00", remind_at="20:00", milestones=[], created_at=now)
        group = CustomerGroup(chat_id="wrKoc", name="柚见护肤群", created_at=now)
        s.add_all([campaign, camp, group])
        await s.flush()
        assert ann is not None
        inviters = {}
        for who in (ann, cat):
            inviters[who.id] = ReferralParticipant(campaign_id=campaign.id, customer_id=who.id, state=f"r{who.id}",
                                                   joined_at=now)
            s.add(inviters[who.id])
        await s.flush()
        for i, (who, status) in enumerate([(ann, "counted"), (ann, "counted"), (ann, "left")] +
                                          [(cat, "counted")] * 5):
            s.add(ReferralInvite(campaign_id=campaign.id, participant_id=inviters[who.id].id,
                                 invitee_customer_id=friends[i].id, staff_userid="zhang.wei", status=status,
                                 added_at=now - timedelta(days=3)))
        for i, day in enumerate((25, 26, 27)):
            s.add(Checkin(campaign_id=camp.id, customer_id=ann.id, day=date(2026, 2, day), day_index=i + 6,
                          kind="on_time", created_at=now))
        s.add(GroupMembership(group_id=group.id, member_id="wmAnn", joined_at=now))


async def test_koc_lists_the_top_customers_with_why_and_tags_and_routes_them(bot, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
    await wecom.add_friend("zhang.wei", "wmBob", name="波波", welcome=False)
    await bot.drain()
    for text in ("早上好", "今天的面霜好用", "谢谢"):
        await wecom.customer_says("wmAnn", text)
    await wecom.customer_says("wmBob", "你好")
    await bot.drain()
    await seed_community(bot, clock)

    reply = await say(bot, wecom, "chen.jing", "/koc")
    lines = reply.split("\n")
    assert lines[0].startswith("KOC 排行（近 90 天：邀请×5")
    # 2 friends who stayed ×5, a 3-day streak ×1, 3 messages ×0.2, one group ×1
    assert lines[1] == "1. 安安 14.6 分：邀请 2 人 +10 · 连续打卡 3 天 +3 · 在 1 个群 +1 · 发言 3 条 +0.6"
    assert lines[2] == "2. 波波 0.2 分：发言 1 条 +0.2"
    assert "猫猫" not in reply  # left: no longer a customer to care for
    assert (await say(bot, wecom, "chen.jing", "/koc 1")).count("分：") == 1

    answer = await say(bot, wecom, "chen.jing", "/koc tag 5")
    assert "已给 1 位客户打上「KOC」：安安" in answer and "1 位交给专属顾问 李娜（li.na） 1:1" in answer  # her name
    assert wecom.customer_tags("zhang.wei", "wmAnn") == ["KOC"] and wecom.customer_tags("zhang.wei", "wmBob") == []
    assert (await kit.find_customer(bot, "wmAnn")).advisor_userid == "li.na"
    assert (await kit.find_customer(bot, "wmBob")).advisor_userid == ""  # below min_score
    (notice,) = wecom.staff_inbox("li.na")
    assert "KOC" in notice and "安安" in notice
    assert ("chen.jing", "koc_tagged", "客户洞察:KOC") in await kit.audit(bot, "koc")

    again = await say(bot, wecom, "chen.jing", "/koc tag")
    assert "都已有这个标签" in again and len(wecom.staff_inbox("li.na")) == 1  # nobody new to hand over


async def test_weights_come_from_the_koc_section(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock, weight_invites=0, weight_messages=1, messages_cap=2)
    try:
        await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
        await bot.drain()
        for text in ("早上好", "今天的面霜好用", "谢谢"):
            await wecom.customer_says("wmAnn", text)
        await bot.drain()
        await seed_community(bot, clock)
        reply = await say(bot, wecom, "chen.jing", "/koc")
        assert "1. 安安 6 分：连续打卡 3 天 +3 · 发言 3 条（计 2 条） +2 · 在 1 个群 +1" in reply
        assert "邀请" not in reply.split("\n", 1)[1]
    finally:
        await bot.stop()


async def test_koc_tag_without_an_advisor_says_who_can_add_one(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock, advisor="", min_score=0)
    try:
        await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
        await wecom.customer_says("wmAnn", "早上好")
        await bot.drain()
        reply = await say(bot, wecom, "chen.jing", "/koc tag 1")
        assert "已给 1 位客户打上「KOC」" in reply
        assert "没有配置 KOC 专属顾问，这次没有分配顾问（管理员可在配置 [koc] advisor 填一位同事" in reply, reply
    finally:
        await bot.stop()


async def test_koc_tag_with_nobody_above_the_bar_changes_nothing(bot, wecom) -> None:
    await wecom.customer_says("wmBob", "你好")
    await bot.drain()
    reply = await say(bot, wecom, "chen.jing", "/koc tag")
    assert "没有达到 10 分的客户" in reply and "用法：/koc [N] · /koc tag [N]" in reply
    assert await bot.count(AuditLog, AuditLog.action == "koc_tagged") == 0


async def test_a_typo_gets_a_hint_and_the_usage(bot, wecom) -> None:
    reply = await say(bot, wecom, "chen.jing", "/koc tga")
    assert "你是不是想用 /koc tag？" in reply and "用法：/koc [N] · /koc tag [N]" in reply
    assert "1 到 50" in await say(bot, wecom, "chen.jing", "/suggestions 500")


async def test_the_console_page_lists_kocs_and_suggestions_and_tags_for_operators(bot, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
    await bot.drain()
    await wecom.customer_says("wmAnn", "建议你们出个旅行装")
    await bot.drain()
    await seed_community(bot, clock)
    client = await ConsoleClient.login(bot.url, user="chen.jing")
    advisor = await ConsoleClient.login(bot.url, user="li.na")
    try:
        status, page = await client.get("/console/insights")
        assert status == 200 and "客户洞察" in page
        assert "邀请 2 人 +10 · 连续打卡 3 天 +3" in page and "建议你们出个旅行装" in page
        ann = (await kit.find_customer(bot, "wmAnn")).id
        status, page = await client.get(f"/console/customers/{ann}")
        assert "<dt>客户建议</dt><dd>1 条，最近：建议你们出个旅行装</dd>" in page
        status, where, _ = await client.post("/console/insights/koc-tag", {"n": "3"})
        assert status == 303 and where == "/console/insights"
        await bot.drain()
        assert wecom.customer_tags("zhang.wei", "wmAnn") == ["KOC"]
        status, page = await client.get("/console/insights")
        assert "已给 1 位客户打上「KOC」：安安" in page  # the command's answer, shown once
        status, _, page = await client.post("/console/insights/koc-tag", {"n": "abc"})
        assert status == 400 and "「abc」应为 1 到 50" in page
        assert (await advisor.get("/console/insights"))[0] == 403
    finally:
        await client.close()
        await advisor.close()


async def test_koc_tag_with_an_advisor_who_left_the_staff_tags_and_names_her_and_what_to_do(bot, wecom, clock) -> None:
    """The configured advisor left [staff]: the operator is told who she is and what an admin changes (never a
    config error naming the userid), the KOCs still get their tag, and nobody is handed to someone who left."""
    await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
    await bot.drain()
    await seed_community(bot, clock)
    async with bot.sessions.begin() as s:
        member = await StaffRepo(s).find("li.na")
        assert member is not None
        member.active = False
    reply = await say(bot, wecom, "chen.jing", "/koc tag")
    assert "已给 1 位客户打上「KOC」" in reply
    assert "KOC 专属顾问 李娜（li.na）已停用" in reply and "这次没有分配顾问" in reply
    assert "改成在职的同事" in reply and "陈静（chen.jing）" in reply and "再发 /koc tag" in reply
    assert wecom.customer_tags("zhang.wei", "wmAnn") == ["KOC"]
    assert (await kit.find_customer(bot, "wmAnn")).advisor_userid == ""
    assert wecom.staff_inbox("li.na") == []  # nothing handed to someone who left
