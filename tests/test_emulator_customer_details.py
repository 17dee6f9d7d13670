"""What the bot reads about a customer: externalcontact/get (customer-contact.md §5.2, doc 92114)
and kf/customer/batchget (kf.md §7) answer named customers in the documented shapes."""

from __future__ import annotations

import random
import re

import aiohttp

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.contacts import demo_name
from emulator.testing import ApiClient

CHINESE_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")


async def started(config: EmulatorConfig) -> Emulator:
    emu = Emulator(config, clock=FakeClock(1_700_060_000))
    await emu.start()
    return emu


def test_generated_customers_get_plausible_chinese_names() -> None:
    rng = random.Random(7)
    names = [demo_name(rng) for _ in range(200)]
    assert all(CHINESE_NAME.fullmatch(n) for n in names)
    assert len(set(names)) > 150  # varied, not a short fixed list


async def test_externalcontact_get_answers_the_contact_and_every_follow_user(http: aiohttp.ClientSession) -> None:
    emu = await started(EmulatorConfig(seed=61))
    try:
        await emu.add_friend("zhang.wei", "wmDetail0001", state="spring_sale")
        await emu.staff_edits_customer("zhang.wei", "wmDetail0001", remark="春季新客", add_tags=["展会"])
        api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["contact"])

        answer = await api.get("externalcontact/get", external_userid="wmDetail0001")

        contact = answer["external_contact"]
        assert list(answer) == ["errcode", "errmsg", "external_contact", "follow_user", "next_cursor"]
        assert list(contact) == ["external_userid", "name", "avatar", "type", "gender"]  # no unionid unbound
        assert CHINESE_NAME.fullmatch(contact["name"]) and contact["type"] == 1 and contact["gender"] in (1, 2)
        (follow,) = answer["follow_user"]
        assert follow["userid"] == "zhang.wei" and follow["remark"] == "春季新客" and follow["state"] == "spring_sale"
        assert follow["createtime"] == 1_700_060_000 and follow["add_way"] == 1
        assert follow["oper_userid"] == "wmDetail0001"
        assert follow["tags"] == [{"group_name": "客户来源", "tag_name": "展会", "tag_id": emu.tag_id("展会"),
                                   "type": 1}]
    finally:
        await emu.stop()


async def test_unionid_only_with_a_bound_open_platform_account(http: aiohttp.ClientSession) -> None:
    emu = await started(EmulatorConfig(seed=62, open_platform_bound=True))
    try:
        await emu.add_friend("li.na", "wmUnion0001")
        await emu.customer_enters_kf("wmUnion0001")
        contact_api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["contact"])
        kf_api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["kf"])

        contact = (await contact_api.get("externalcontact/get", external_userid="wmUnion0001"))["external_contact"]
        (kf_customer,) = (await kf_api.post("kf/customer/batchget",
                                            {"external_userid_list": ["wmUnion0001"]}))["customer_list"]

        assert contact["unionid"].startswith("o") and kf_customer["unionid"] == contact["unionid"]
    finally:
        await emu.stop()


async def test_kf_customer_batchget_gives_nicknames(http: aiohttp.ClientSession) -> None:
    emu = await started(EmulatorConfig(seed=63))
    try:
        await emu.customer_enters_kf("wmKfNick0001")
        await emu.customer_enters_kf("wmKfNick0002", name="小林")
        api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["kf"])

        answer = await api.post("kf/customer/batchget", {"external_userid_list": ["wmKfNick0001", "wmKfNick0002",
                                                                                  "wmNobody"]})

        first, second = answer["customer_list"]
        assert list(first) == ["external_userid", "nickname", "avatar", "gender", "unionid"]
        assert CHINESE_NAME.fullmatch(first["nickname"]) and second["nickname"] == "小林"
        assert answer["invalid_external_userid"] == ["wmNobody"]
    finally:
        await emu.stop()
