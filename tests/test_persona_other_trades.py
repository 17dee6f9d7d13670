"""The persona understands customers of shops of other trades than the demo skincare one (issue #13, dev24: a
bakery's knowledge base under the default persona). Readings grown from skincare trials hold only where the base
speaks of that thing: a pick is asked back with the skin type only in a shop whose base speaks of skin."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.dialogues import ROOT, shop_of
from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY_10AM)


ENTRIES = [("cake", "可以订生日蛋糕吗|蛋糕怎么预订", "生日蛋糕需要提前 1 天在小程序预订，6 寸起订。"),
           ("sugar", "有无糖的吗|糖尿病能吃吗", "有代糖系列面包和蛋糕，但仍含碳水，控糖的朋友请适量。"),
           ("class", "烘焙课|可以学做蛋糕吗", "每周日下午有亲子烘焙课，168 元一组，含材料。"),
           ("hours", "营业时间|几点关门", "每天 7:30-21:30。")]
BAKERY = "".join(f'[[faq]]\nid = "{i}"\nq = {q.split("|")}\na = "{a}"\n\n' for i, q, a in ENTRIES).replace("'", '"')

PICKS = ["想给我妈买点面包 她牙口不好 推荐点啥", "我肠胃比较敏感 吃啥好一点", "有啥推荐的吗"]


@pytest.mark.parametrize("n, said", list(enumerate(PICKS)))
async def test_a_pick_in_a_bakery_is_never_asked_the_skin_type(db_url, wecom, clock, tmp_path: Path, n,
                                                                said) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        replies = await told(bot, wecom, clock, f"wmTr0{n}", said)
    assert replies and not any(key.startswith(("reply.shopping", "reply.skin_check")) for key, _ in replies), replies
    assert not any(word in text for _, text in replies for word in ("肤", "干皮", "油皮", "敏感肌")), replies


async def test_how_to_tell_ones_skin_type_in_a_bakery_gets_no_skin_test(db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        replies = await told(bot, wecom, clock, "wmTr10", "怎么判断自己是什么肤质")
    assert replies and not any(key == "reply.skin_check" or "干皮" in text for key, text in replies), replies


async def test_the_demo_shop_still_asks_her_skin_type_for_a_gift(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmTr20", "想给我妈买个面霜 推荐一下")
    assert any(key.startswith("reply.shopping") and "皮" in text for key, text in replies), replies


async def test_a_question_pointing_back_at_its_first_clause_gets_that_entry(db_url, wecom, clock,
                                                                           tmp_path: Path) -> None:
    """"有这种活动吗" asks for what the clause before named (learning to bake), not for a promotion."""
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        (reply,) = await told(bot, wecom, clock, "wmTr30", "周末想带娃学做蛋糕 有这种活动吗")
    assert reply[0] == "reply.faq" and "烘焙课" in reply[1], reply


def test_a_split_naming_its_knowledge_base_runs_the_bot_on_it() -> None:
    assert shop_of("dev24") == {"faq": {"path": str(ROOT / "tests/knowledge_eval/bakery/faq.csv")}}
    assert shop_of("dev") == {}  # the demo shop's base and the default preset


async def test_a_thing_to_be_free_of_that_no_entry_names_gets_no_other_entry(db_url, wecom, clock,
                                                                            tmp_path: Path) -> None:
    """Gluten-free asked of a bakery whose base speaks only of sugar-free cakes: not the sugar-free answer; the
    sugar-free question itself still gets it."""
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        gluten = await told(bot, wecom, clock, "wmTr40", "能做无麸质的蛋糕不")
        sugar = await told(bot, wecom, clock, "wmTr41", "有没有无糖的蛋糕")
    assert gluten and not any("代糖" in text for _, text in gluten), gluten
    assert sugar[0][0] == "reply.faq" and "代糖" in sugar[0][1], sugar
