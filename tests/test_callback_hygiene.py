"""A rejected callback costs the sender a short fixed answer and us one short log line, and a
flood of them is counted in /metrics instead of flooding the log."""

from __future__ import annotations

import logging
from typing import AsyncIterator

import pytest

from bot.clock import FakeClock
from tests.harness import BotUnderTest, make_config

HUGE_TAG = b"<" + b"A" * 200_000 + b"/>"  # 200 KB: under max_body_bytes, so it is parsed


@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotUnderTest]:
    b = await BotUnderTest.start(make_config(sqlite_url), FakeClock(1_700_000_000))
    yield b
    await b.stop()


async def post(bot: BotUnderTest, body: bytes) -> tuple[int, str]:
    query = {"msg_signature": "0" * 40, "timestamp": str(int(bot.clock.time())), "nonce": "1"}
    async with bot.http.post(f"{bot.url}/wecom/callback", params=query, data=body,
                             headers={"Content-Type": "text/xml"}) as resp:
        return resp.status, await resp.text()


def rejection_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "callback rejected"]


async def metric(bot: BotUnderTest, name: str) -> float:
    async with bot.http.get(f"{bot.url}/metrics") as r:
        text = await r.text()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


async def test_a_200_kb_tag_name_gets_a_short_answer_and_a_short_log_line(
        bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        status, body = await post(bot, HUGE_TAG)
    assert status == 400
    assert len(body) <= 40 and "AAAA" not in body
    (line,) = rejection_lines(caplog)
    assert len(line.reason) <= 200  # type: ignore[attr-defined]
    formatted = logging.Formatter("%(message)s").format(line) + " ".join(str(v) for v in vars(line).values())
    assert "A" * 201 not in formatted


async def test_every_rejection_answer_is_one_of_a_few_fixed_texts(bot: BotUnderTest) -> None:
    bodies = {(await post(bot, body))[1] for body in
              (HUGE_TAG, b"not xml", b"<xml><Encrypt>" + b"B" * 5000 + b"</Encrypt></xml>", b"<xml></xml>")}
    assert bodies == {"rejected"}


async def test_a_flood_of_rejections_is_logged_up_to_a_budget_and_counted_in_metrics(
        bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        for _ in range(100):
            assert (await post(bot, b"junk"))[0] == 400
    logged = len(rejection_lines(caplog))
    assert 1 <= logged <= 60
    assert await metric(bot, "wanzi_callback_rejections_unlogged_total") == 100 - logged
    assert await metric(bot, 'wanzi_callbacks_total{kind="unknown",outcome="rejected"}') == 100

    caplog.clear()
    assert isinstance(bot.clock, FakeClock)
    bot.clock.advance(60)  # a new minute: the next rejection is logged again, saying how many were not
    with caplog.at_level(logging.WARNING):
        await post(bot, b"junk")
    (line,) = rejection_lines(caplog)
    assert line.not_logged == 100 - logged  # type: ignore[attr-defined]
