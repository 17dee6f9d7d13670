"""Customers' words a sandbox session of 2026-12-04 found misread, each given what a person at the shop would do.
Asserted on what the customer gets back (the persona's template key without its variant, and the text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


PREGNANT = ["我怀二胎了 之前买的精华还能接着用不", "我怀了二胎 你们的精华能用吗", "孕早期能用你们家的精华吗"]


@pytest.mark.parametrize("n, text", list(enumerate(PREGNANT)))
async def test_a_pregnancy_told_in_other_words_gets_the_pregnancy_answer(wanzi, wecom, clock, n, text) -> None:
    (reply,) = await told(wanzi, wecom, clock, f"wmSw4{n:02d}", text)
    assert reply[0] == "reply.faq" and "孕期" in reply[1], reply


async def test_whether_opened_goods_can_be_returned_gets_the_opened_goods_sentence(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSw410", "到了不喜欢能退不")
    (reply,) = await told(wanzi, wecom, clock, "wmSw410", "拆了也能退吗")
    assert "已拆封" in reply[1] and "未拆封" not in reply[1], reply  # not "unopened within 7 days" again
    await told(wanzi, wecom, clock, "wmSw411", "到了不喜欢能退不")
    (reply,) = await told(wanzi, wecom, clock, "wmSw411", "没拆的话呢")
    assert "已拆封" not in reply[1], reply


OTHER_PRODUCTS = ["你们家的面膜可以天天敷吗", "那防晒要每天涂吗", "眼霜早晚都要用吗"]


@pytest.mark.parametrize("n, other", list(enumerate(OTHER_PRODUCTS)))
async def test_another_kind_of_product_after_the_creams_answer_is_not_answered_with_the_cream(
        wanzi, wecom, clock, n, other) -> None:
    await told(wanzi, wecom, clock, f"wmSw42{n}", "干皮用什么面霜")
    replies = await told(wanzi, wecom, clock, f"wmSw42{n}", other)
    assert replies and not any("柚润" in text for _, text in replies), replies


CLEANSING_OIL = ('[[faq]]\nq = ["你们有卸妆油吗", "卸妆油怎么用"]\n'
                 'a = "有的～柚见温和卸妆油 150ml，干手干脸使用，乳化后冲净。"\n'
                 '[[faq]]\nq = ["孕妇可以用吗", "怀孕能用吗"]\na = "柚见全线不含酒精和水杨酸，孕期大多可以用。"\n')


async def test_a_question_about_another_kind_of_product_is_never_offered_an_entry_about_one_thing_else(
        db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, CLEANSING_OIL) as bot:
        replies = await told(bot, wecom, clock, "wmSw430", "你们家的面膜可以天天敷吗")
        assert replies and not any("卸妆油" in text for _, text in replies), replies
        replies = await told(bot, wecom, clock, "wmSw431", "卸妆油要怎么乳化")  # its own kind still offered or answered
        assert any("卸妆油" in text for _, text in replies), replies


async def test_where_to_order_from_the_official_flagship_store_gets_where_to_buy(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSw440", "官方旗舰店在哪里可以下单")
    assert reply[0] == "reply.faq" and "小程序" in reply[1], reply  # an online shop, not a store's address


TO_A_CITY = ["东西拍下来一般几天能送到广州", "几天能送到广州", "多久能送到成都啊", "买了多久能到手啊 我在成都"]


@pytest.mark.parametrize("n, text", list(enumerate(TO_A_CITY)))
async def test_how_many_days_a_parcel_takes_to_a_city_gets_the_shipping_answer(wanzi, wecom, clock, n, text) -> None:
    # a fresh-clone sandbox trial: 送到 named only restaurant delivery, so the shipping entry was out of the running
    (reply,) = await told(wanzi, wecom, clock, f"wmSw45{n}", text)
    assert reply[0] == "reply.faq" and "2-4 天" in reply[1], reply


@pytest.mark.parametrize("n, said", list(enumerate(["我28岁混油皮 换季老是爆痘 想找个温和点的",
                                                   "想找款适合油皮的面霜"])))
async def test_looking_for_one_is_a_wish_to_buy_asked_what_a_pick_needs(wanzi, wecom, clock, n, said) -> None:
    """The sandbox of 2026-12-05: "…想找个温和点的" got only "小柚记下啦：混合皮", as if nothing was wished for."""
    replies = await told(wanzi, wecom, clock, f"wmFind{n}", said)
    assert replies and replies[-1][0].startswith("reply.shopping"), replies
    assert "预算" in replies[-1][1], replies  # what a pick still needs is asked ...
    assert "干皮、油皮" not in replies[-1][1] and "记下" in replies[-1][1], replies  # ... not the skin type told
    if "爆痘" in said:
        assert "痘痘还是暗沉" not in replies[-1][1], replies  # nor the trouble told


async def test_a_skin_with_its_own_entry_told_with_the_wish_gets_that_entry_at_once(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmFind5", "我是干皮 冬天脸上起皮 想找个滋润点的")
    assert any("柚润保湿霜" in text for _, text in replies), replies  # the dry-skin cream, nothing asked


async def test_looking_for_a_person_is_no_wish_to_buy(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmFind9", "想找个人聊聊")
    assert replies and not any(key.startswith("reply.shopping") for key, _ in replies), replies


async def test_someone_elses_turn_after_the_customers_own_pick_is_a_wish_for_them(wanzi, wecom, clock) -> None:
    """The sandbox of 2026-12-05: "给我妈也看看 她皮肤很干" after the customer's own pick got the plain chat line."""
    await told(wanzi, wecom, clock, "wmFind6", "我28岁混油皮 换季老是爆痘 想找个温和点的")
    replies = await told(wanzi, wecom, clock, "wmFind6", "给我妈也看看 她皮肤很干")
    assert any("柚润保湿霜" in text for _, text in replies), replies  # dry skin: the cream, for her
    replies = await told(wanzi, wecom, clock, "wmFind7", "帮我老公也挑挑")
    assert replies and replies[-1][0].startswith("reply.shopping") and "老公" in replies[-1][1], replies
