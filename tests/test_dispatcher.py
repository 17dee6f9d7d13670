"""The router: filters by event kind, chat kind, text pattern and sender role; middlewares wrap;
a blocking match ends the dispatch, an observer lets it go on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.dispatcher import Dispatcher, Router
from bot.wecom.events import AppMessageReceived, Event, FriendAdded, KfMessageReceived


def kf_text(text: str, origin: int = 3) -> KfMessageReceived:
    return KfMessageReceived(create_time=1, msgid=f"m-{text}", open_kfid="wk1", external_userid="wm1",
                             origin=origin, msgtype="text", text=text)


def app_text(text: str) -> AppMessageReceived:
    return AppMessageReceived(create_time=1, msg_id="1", from_user="zhang.wei", msg_type="text", content=text)


def ctx(role: str | None = None) -> Any:  # stands in for a Context: the router reads only .staff
    return SimpleNamespace(staff=SimpleNamespace(role=role) if role else None)


def build() -> Dispatcher:
    r = Router("test")

    @r.on(KfMessageReceived, block=False)
    async def observe(event, c) -> None:
        pass

    @r.on(KfMessageReceived, text=r"打卡")
    async def check_in(event, c) -> None:
        pass

    @r.on(AppMessageReceived, text=r"^/tag\b", roles={"admin", "operator"})
    async def tag_command(event, c) -> None:
        pass

    @r.on(chat="app")
    async def any_app_message(event, c) -> None:
        pass

    @r.on(KfMessageReceived, when=lambda e, c: e.from_customer)
    async def answer(event, c) -> None:
        pass

    return Dispatcher([r])


async def test_observers_run_and_the_first_blocking_match_wins() -> None:
    d = build()
    assert await d.feed(kf_text("今天打卡啦"), ctx()) == ["test.observe", "test.check_in"]
    assert await d.feed(kf_text("你好"), ctx()) == ["test.observe", "test.answer"]
    assert await d.feed(kf_text("人工客服在说话", origin=5), ctx()) == ["test.observe"]


async def test_role_filter_keeps_commands_from_people_without_the_role() -> None:
    d = build()
    assert await d.feed(app_text("/tag 陈洁 干皮"), ctx("operator")) == ["test.tag_command"]
    assert await d.feed(app_text("/tag 陈洁 干皮"), ctx("advisor")) == ["test.any_app_message"]
    assert await d.feed(app_text("/tag 陈洁 干皮"), ctx(None)) == ["test.any_app_message"]


async def test_a_customer_typing_a_command_in_kf_is_a_customer() -> None:
    assert await build().feed(kf_text("/tag 我自己 VIP"), ctx()) == ["test.observe", "test.answer"]


async def test_middlewares_wrap_in_order_and_can_stop_the_event() -> None:
    seen: list[str] = []

    async def outer(event, c, nxt) -> None:
        seen.append("outer")
        await nxt(event, c)

    async def stopper(event, c, nxt) -> None:
        seen.append("stopper")
        if not isinstance(event, FriendAdded):
            await nxt(event, c)

    d = Dispatcher(build().routers, [outer, stopper])
    assert await d.feed(kf_text("你好"), ctx()) == ["test.observe", "test.answer"]
    event = FriendAdded(create_time=1, userid="u", external_userid="wm", state="", welcome_code="")
    assert await d.feed(event, ctx()) == []
    assert seen == ["outer", "stopper", "outer", "stopper"]


async def test_a_route_for_every_event_keeps_its_place_and_filters_of_other_kinds_are_never_asked() -> None:
    asked: list[str] = []

    def says_hello(event: KfMessageReceived, c: Any) -> bool:
        asked.append(event.text)
        return event.text == "你好"

    first, last = Router("first"), Router("last")

    @first.on(KfMessageReceived, when=says_hello)
    async def greet_back(event, c) -> None:
        pass

    @first.on(Event, block=False)
    async def count_everything(event, c) -> None:
        pass

    @last.on(chat="contact")
    async def any_contact_event(event, c) -> None:
        pass

    @last.on(chat="kf")
    async def any_kf_event(event, c) -> None:
        pass

    d = Dispatcher([(2, last), (1, first)])
    friend = FriendAdded(create_time=1, userid="u", external_userid="wm", state="", welcome_code="")
    for _ in range(2):  # the second time from what the first event of each class worked out
        assert await d.feed(kf_text("你好"), ctx()) == ["first.count_everything", "first.greet_back"]
        assert await d.feed(kf_text("在吗"), ctx()) == ["first.count_everything", "last.any_kf_event"]
        assert await d.feed(friend, ctx()) == ["first.count_everything", "last.any_contact_event"]
        assert await d.feed(app_text("/help"), ctx("admin")) == ["first.count_everything"]
    assert asked == ["你好", "在吗"] * 2  # a kf text's filter never saw a new friend or a staff message
