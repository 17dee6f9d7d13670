"""Follow-ups: a short message right after a knowledge-base answer ("我还没拆呢" after the returns
policy) is understood in that context, not queued for staff; the same answer is never sent twice in
a row; a new topic or chatter is never forced into the old context. Demo knowledge base, interest preset."""

from __future__ import annotations

from handlers.replies.followup import FOLLOWUP_MINUTES
from persona.faq import FaqEntry
from persona.followup import covers, gist, in_context, named
from storage.models import UnansweredQuestion
from storage.repos.replies import KnowledgeRepo
from tests import escalation_kit as kit
from tests.chat_kit import count, say

clock, bot = kit.clock, kit.bot  # Monday 10:00; the demo knowledge base (persona/faq.toml)

RETURNS = "未拆封商品签收 7 天内可以无理由退换"  # the returns entry's first sentence
OPENED = "拍照发给我们"  # ... and its second, about opened goods
SHIPPING = "48 小时内从杭州仓发出"


async def test_a_follow_up_after_the_returns_answer_is_answered_in_its_context(bot, wecom) -> None:
    (first,) = await say(bot, wecom, "wmFollow01", "不喜欢可以退吗")
    assert RETURNS in first and OPENED in first
    (reply,) = await say(bot, wecom, "wmFollow01", "我还没拆呢")
    assert RETURNS in reply  # the fact again ...
    assert OPENED not in reply and reply != first  # ... the part it asks about, not the same answer twice
    (then,) = await say(bot, wecom, "wmFollow01", "要多久")  # still about returns, after a follow-up line
    assert RETURNS in then and OPENED not in then
    assert await count(bot, UnansweredQuestion) == 0  # no "I'll ask a colleague"


async def test_a_follow_up_sent_before_the_bot_pulled_keeps_the_context(bot, wecom) -> None:
    # Both messages arrive before the bot pulls them (one sync_msg): answered in turn, the second in
    # the context of the first (rows of the same transaction are read from the session, unflushed).
    await wecom.customer_says("wmFollow09", "不喜欢可以退吗")
    await wecom.customer_says("wmFollow09", "我还没拆呢")
    await bot.drain()
    first, reply = wecom.customer_inbox("wmFollow09")[-2:]
    assert RETURNS in first and OPENED in first
    assert RETURNS in reply and OPENED not in reply
    assert await count(bot, UnansweredQuestion) == 0


async def test_the_same_entry_asked_again_is_not_answered_word_for_word(bot, wecom) -> None:
    (first,) = await say(bot, wecom, "wmFollow02", "不喜欢可以退吗")
    (again,) = await say(bot, wecom, "wmFollow02", "不喜欢的话能退吗")  # sure on its own, the same entry
    assert RETURNS in first and OPENED in first
    assert RETURNS in again and OPENED not in again


async def test_an_old_answer_is_no_context(bot, wecom, clock) -> None:
    await say(bot, wecom, "wmFollow03", "不喜欢可以退吗")
    clock.advance(FOLLOWUP_MINUTES * 60 + 1)
    (reply,) = await say(bot, wecom, "wmFollow03", "我还没拆呢")
    assert RETURNS not in reply


async def test_chatter_after_an_answer_is_not_answered_from_it(bot, wecom) -> None:
    await say(bot, wecom, "wmFollow04", "多久发货")
    for text in ("讲个笑话", "我明天再来", "你们老板是谁"):
        (reply,) = await say(bot, wecom, "wmFollow04", text)
        assert SHIPPING not in reply, text


async def test_another_skin_type_is_not_answered_with_the_dry_skin_cream(bot, wecom) -> None:
    (first,) = await say(bot, wecom, "wmFollow05", "干皮用什么面霜")
    assert "柚润保湿霜" in first
    (reply,) = await say(bot, wecom, "wmFollow05", "那敏感肌呢")  # the demo base has no entry for it
    assert "柚润保湿霜" not in reply


async def test_a_follow_up_to_a_clarify_offer_picks_the_entry_it_is_about(bot, wecom) -> None:
    (offer,) = await say(bot, wecom, "wmFollow06", "有什么福利吗")  # "你们这是真货吗？" is answered since conv23
    assert "「有优惠券吗」" in offer
    (reply,) = await say(bot, wecom, "wmFollow06", "那要怎么拿到")
    assert "我的-优惠券" in reply


def test_the_follow_up_names_the_skin_type_that_counts() -> None:
    assert in_context("干皮用什么面霜", "那敏感肌呢") == "用什么面霜，那敏感肌呢"
    assert in_context("多久发货", "广州呢") == "多久发货，广州呢"


def test_the_gist_is_the_sentence_the_follow_up_is_about() -> None:
    answer = "未开封保质期 3 年，开封后建议 12 个月内用完；生产日期印在瓶底。"
    assert gist(answer, "生产日期在哪看") == "生产日期印在瓶底"
    assert gist(answer, "要多久") == "未开封保质期 3 年，开封后建议 12 个月内用完"  # nothing in common: the first
    assert gist("每天 7:30-21:00，周末 8:00 开门。", "周末呢") == "每天 7:30-21:00，周末 8:00 开门。"


async def test_a_follow_up_the_answer_says_nothing_of_is_queued_honestly(bot, wecom) -> None:
    await say(bot, wecom, "wmFollow07", "不喜欢可以退吗")
    (reply,) = await say(bot, wecom, "wmFollow07", "那运费谁出")  # the returns answer names no postage
    assert RETURNS not in reply and "同事" in reply, reply  # not the returns answer, nor "收到～" as to a statement
    assert await count(bot, UnansweredQuestion) == 1  # asked of a colleague, the customer told so


async def test_a_follow_up_on_a_concept_the_answer_just_gave_stays_with_it(bot, wecom) -> None:
    (first,) = await say(bot, wecom, "wmFollow08", "有优惠券吗")
    assert "有效期 14 天" in first
    (reply,) = await say(bot, wecom, "wmFollow08", "多久过期")  # alone: the shelf life
    assert "有效期 14 天" in reply and "保质期" not in reply, reply


def test_an_entry_covers_a_follow_up_only_when_it_speaks_of_what_the_follow_up_names() -> None:
    returns = FaqEntry(id="returns", questions=("可以退货吗",), answer="未拆封商品签收 7 天内可以无理由退换。")
    coupon = FaqEntry(id="coupon", questions=("有优惠券吗",), answer="新人券满 199 减 30，14 天有效。")
    store = FaqEntry(id="store", questions=("有线下门店吗",), answer="杭州湖滨有一家体验店，每天 10:00-22:00。")
    assert not covers(returns, "那运费谁出") and not covers(returns, "能开发票吗")
    assert covers(returns, "我还没拆呢") and covers(returns, "要多久")  # nothing named but the entry's own
    assert covers(coupon, "多久过期")  # 有效期 in other words
    assert covers(store, "几点关门")  # a clock time speaks of the hours
    assert named("包邮吗") and not named("多少钱") and not named("一天喂几次")


async def test_postage_in_other_words_stays_with_the_answer_that_gave_it(bot, wecom, clock) -> None:
    async with bot.sessions.begin() as s:  # an operator's entry (console) that speaks of 运费 and 包邮
        await KnowledgeRepo(s).add(["偏远地区能发吗", "新疆西藏发货吗"],
                                   "新疆、西藏等偏远地区也能发，需补 15 元运费；其他地区满 99 元包邮。",
                                   now=clock.now(), created_by="chen.jing")
    (first,) = await say(bot, wecom, "wmFollow10", "新疆能发货吗")
    assert "15 元运费" in first
    (reply,) = await say(bot, wecom, "wmFollow10", "那配送费呢")  # 配送费 is postage, not the delivery service
    assert "15 元运费" in reply and reply != first, reply
    assert await count(bot, UnansweredQuestion) == 0  # not queued as a question nobody answered


def test_every_word_for_postage_names_postage_only() -> None:
    postage = FaqEntry(id="postage", questions=("包邮吗",), answer="全场满 99 元包邮，不满收 8 元运费。")
    returns = FaqEntry(id="returns", questions=("可以退货吗",), answer="未拆封商品签收 7 天内可以无理由退换。")
    for text in ("那配送费呢", "快递费谁出", "邮费多少", "免邮吗", "物流费怎么算"):
        assert covers(postage, text) and not covers(returns, text), text


async def test_a_statement_in_between_keeps_the_answer_before_it_as_context(bot, wecom) -> None:
    (cream,) = await say(bot, wecom, "wmFollow21", "你们那个保湿霜 干皮能用吗")
    assert "柚润保湿霜" in cream
    (noted,) = await say(bot, wecom, "wmFollow21", "我是混干 冬天两颊会起皮")
    assert "柚润保湿霜" not in noted
    (often,) = await say(bot, wecom, "wmFollow21", "一天用几次啊")
    assert "早晚各一次" in often  # the cream's answer, not "I'll ask a colleague"
    assert await count(bot, UnansweredQuestion) == 0


async def test_back_from_a_moment_away_where_were_we_gets_the_answer_again(bot, wecom) -> None:
    """"等下 我先去开个会" … "回来了 刚说到哪了": the answer given before the break, once more and whole."""
    (perks,) = await say(bot, wecom, "wmFollow31", "在吗 想问下会员有啥权益")
    assert "每消费 1 元积 1 分" in perks
    (bye,) = await say(bot, wecom, "wmFollow31", "等下 我先去开个会")
    assert any(w in bye for w in ("拜拜", "回头见")), bye
    (again,) = await say(bot, wecom, "wmFollow31", "回来了 刚说到哪了")
    assert "每消费 1 元积 1 分" in again and "答不上来" not in again, again
    (hello,) = await say(bot, wecom, "wmFollow32", "回来了 刚说到哪了")  # nothing said before: a greeting
    assert "答不上来" not in hello and "每消费" not in hello, hello


async def test_may_she_use_a_product_right_after_the_pregnancy_answer_stays_with_pregnancy(bot, wecom) -> None:
    """"能用你们的面霜吗" after "孕妇可以用吗" asks whether she may use it while pregnant: not the dry-skin pick.
    A follow-up naming a skin type of its own is about that skin type."""
    (pregnant,) = await say(bot, wecom, "wmFollow41", "孕妇可以用吗")
    assert "孕期和哺乳期大多可以用" in pregnant
    (cream,) = await say(bot, wecom, "wmFollow41", "能用你们的面霜吗")
    assert "孕期" in cream and "干皮推荐" not in cream, cream
    (dry,) = await say(bot, wecom, "wmFollow41", "那干皮能用吗")
    assert "柚润保湿霜" in dry, dry
    (shelf,) = await say(bot, wecom, "wmFollow42", "过期了还能用吗")  # a shelf-life answer is no such condition
    assert "保质期 3 年" in shelf
    (other,) = await say(bot, wecom, "wmFollow42", "孕妇能用嘛")
    assert "孕期和哺乳期" in other, other


async def test_what_about_the_whitening_one_after_the_pregnancy_answer_stays_with_pregnancy(bot, wecom) -> None:
    """"美白那个呢 我天天晚上都在涂" asks about the line the pregnancy answer names: not a note of a
    whitening interest; "拆了的呢 …" after the returns answer is about opened goods."""
    await say(bot, wecom, "wmFollow51", "姐妹我刚查出来怀孕了 之前买的那套柚见还能接着用吗")
    (whitening,) = await say(bot, wecom, "wmFollow51", "美白那个呢 我天天晚上都在涂")
    assert "美白系列含烟酰胺" in whitening and "记" not in whitening, whitening
    await say(bot, wecom, "wmFollow52", "我前两天买了个面霜还没拆 但是突然不太想要了 能退不")
    (opened,) = await say(bot, wecom, "wmFollow52", "拆了的呢 另一瓶我试了一下 味道不太喜欢")
    assert OPENED in opened, opened


async def test_setting_the_question_straight_after_a_pick_is_that_question_told_better(bot, wecom) -> None:
    """"没过敏 就是太油了闷痘" after "…可以退吗" got 猜你想问: not the chat line, not the same offer again;
    the two together are one question nobody could answer yet."""
    (offer,) = await say(bot, wecom, "wmFollow53", "面霜用了两次感觉太油了 不适合我 可以退吗")
    (reply,) = await say(bot, wecom, "wmFollow53", "没过敏 就是太油了闷痘")
    assert reply != offer and "还有什么想跟" not in reply and "1." not in reply, reply
    assert any(w in reply for w in ("同事", "人工")), reply  # a person decides
