"""The optional LLM backend, against a fake OpenAI-compatible server started in the test: what Wanzi
asks (model, persona system prompt with the knowledge base, the chat so far, max_tokens, temperature,
no streaming, the key), the model's answer reaching the kf chat through the outbox, and every way it
can fail ending in the embedded answer, inside the same reply."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import metrics_text
from bot.clock import FakeClock
from bot.digest_metrics import Breakdown, Window
from emulator import Emulator
from handlers.digest.registry import default_registry
from handlers.replies.llm.digest import llm_numbers
from storage.models import LlmReply, Ticket, UnansweredQuestion
from tests.harness import BotUnderTest, make_config

SH = ZoneInfo("Asia/Shanghai")
# The embedded answer to a question: the interest preset's reply.fallback (someone keeps the promise)
# or reply.unknown (nobody on duty to keep it: handlers/questions).
FALLBACK = ("问问专业的同事", "请同事确认", "找懂行的同事", "暂时答不上来", "还不确定呢")
QUESTION = "你们家的面膜可以天天敷吗？"  # nothing in the demo knowledge base answers it
ANSWER = "面膜不建议天天敷哦，皮肤也需要休息～敷完记得做好保湿。"

Behaviour = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]


class FakeModel:
    """An OpenAI-compatible /v1/chat/completions that records what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.embedded: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.release = asyncio.Event()  # a hanging answer waits for this (set when the test ends)
        self.behaviour: Behaviour = self.says(ANSWER)

    @staticmethod
    def says(text: str, *, usage: tuple[int, int] = (120, 30), finish: str = "stop") -> Behaviour:
        async def answer(_: dict[str, Any]) -> web.StreamResponse:
            return web.json_response({
                "id": "chatcmpl-1", "object": "chat.completion", "model": "fake-chat",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                          "total_tokens": usage[0] + usage[1]}})
        return answer

    def hangs(self) -> Behaviour:
        async def answer(_: dict[str, Any]) -> web.StreamResponse:
            await self.release.wait()
            return web.json_response({})
        return answer

    async def embed(self, request: web.Request) -> web.StreamResponse:
        """Texts about sending a parcel point one way, everything else another."""
        body = await request.json()
        self.embedded.append((dict(request.headers), body))
        vectors = [[1.0, 0.0] if any(w in text for w in ("寄", "发货")) else [0.0, 1.0] for text in body["input"]]
        return web.json_response({"object": "list", "model": body["model"],
                                  "data": [{"index": i, "embedding": v} for i, v in enumerate(vectors)]})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append((dict(request.headers), body))
        return await self.behaviour(body)


@pytest.fixture
async def model() -> AsyncIterator[tuple[FakeModel, str]]:
    fake = FakeModel()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    app.router.add_post("/v1/embeddings", fake.embed)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("/v1"))
    fake.release.set()
    await server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 10, 10, 5, tzinfo=SH).timestamp())


async def start(db_url: str, wecom: Any, clock: FakeClock, base_url: str, *, faq: dict[str, Any] | None = None,
                **llm: Any) -> BotUnderTest:
    settings = {"enabled": True, "base_url": base_url, "api_key": "sk-test-123", "model": "fake-chat",
                "timeout_s": 5, "max_tokens": 200, "temperature": 0.2, **llm}
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, llm=settings, faq=faq or {}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@contextlib.asynccontextmanager
async def running(db_url: str, wecom: Any, clock: FakeClock, base_url: str, *, faq: dict[str, Any] | None = None,
                  **llm: Any) -> AsyncIterator[BotUnderTest]:
    bot = await start(db_url, wecom, clock, base_url, faq=faq, **llm)
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def wanzi(db_url: str, wecom: Any, clock: FakeClock, model: tuple[FakeModel, str]
                ) -> AsyncIterator[BotUnderTest]:
    bot = await start(db_url, wecom, clock, model[1])
    yield bot
    await bot.stop()


async def says(bot: BotUnderTest, wecom: Emulator, ext: str, text: str) -> list[str]:
    """What the customer got back for one message (drained with a hang guard, not a timing check)."""
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await asyncio.wait_for(bot.drain(), 60)
    replies: list[str] = wecom.customer_inbox(ext)[before:]
    return replies


async def outcomes(bot: BotUnderTest) -> list[str]:
    async with bot.sessions() as s:
        return list((await s.scalars(select(LlmReply.outcome).order_by(LlmReply.id))).all())


async def test_a_question_the_knowledge_base_cannot_answer_gets_the_models_answer(wanzi, wecom, model) -> None:
    fake, _ = model
    assert await says(wanzi, wecom, "wmLlm0001", "我是干皮，最近换季脸好紧绷") != []  # noted, not the model
    (reply,) = await says(wanzi, wecom, "wmLlm0001", QUESTION)
    assert reply == ANSWER
    headers, body = fake.requests[-1]
    assert headers["Authorization"] == "Bearer sk-test-123"
    assert (body["model"], body["max_tokens"], body["temperature"], body["stream"]) == ("fake-chat", 200, 0.2, False)
    system, *turns = body["messages"]
    assert system["role"] == "system"
    for persona_fact in ("小柚", "柚见", "宝子", "—— 小柚", "[不知道]"):  # name, brand, address, sign-off, the rule
        assert persona_fact in system["content"], persona_fact
    assert "【知识库】" in system["content"]
    assert turns[-1] == {"role": "user", "content": QUESTION}
    assert {"role": "user", "content": "我是干皮，最近换季脸好紧绷"} in turns  # the chat so far
    assert any(t["role"] == "assistant" for t in turns[:-1])
    async with wanzi.sessions() as s:  # answered: no unanswered question kept, tokens counted
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0
        row = (await s.scalars(select(LlmReply).order_by(LlmReply.id.desc()))).first()
    assert (row.outcome, row.prompt_tokens, row.completion_tokens, row.text) == ("answered", 120, 30, "")
    metrics = (await metrics_text(wanzi.app)).decode()
    for line in ('wanzi_llm_calls_total{outcome="answered"} 1.0', 'wanzi_llm_tokens_total{kind="prompt"} 120.0',
                 'wanzi_llm_tokens_total{kind="completion"} 30.0', "wanzi_llm_latency_seconds_count 1.0"):
        assert line in metrics, line


async def test_the_closest_knowledge_base_entries_are_the_models_grounding(db_url, wecom, clock, model) -> None:
    fake, base_url = model
    fake.behaviour = fake.says("现货订单 48 小时内从杭州仓发出，默认顺丰哦～")
    async with running(db_url, wecom, clock, base_url, faq={"threshold": 1.0}) as wanzi:  # the base is never sure
        (reply,) = await says(wanzi, wecom, "wmLlm0002", "拍下以后几天发货呀，能发顺丰吗？")
    system = fake.requests[-1][1]["messages"][0]["content"]
    assert "48 小时内从杭州仓发出" in system  # the shipping entry the knowledge base was not sure of
    assert reply == "现货订单 48 小时内从杭州仓发出，默认顺丰哦～"  # numbers the grounding holds pass the guard


async def test_with_an_embedding_model_entries_close_in_meaning_ground_the_answer(db_url, wecom, clock,
                                                                                  model) -> None:
    fake, base_url = model
    fake.behaviour = fake.says("现货订单 48 小时内就发出啦～")
    async with running(db_url, wecom, clock, base_url, embedding_model="fake-embed",
                       faq={"threshold": 1.0}) as bot:  # the base is never sure: the model answers
        (reply,) = await says(bot, wecom, "wmLlm0017", "东西拍了啥时候能寄出来呀？")  # no word in common
        assert reply == "现货订单 48 小时内就发出啦～"
        (embedded,) = [body for _, body in fake.embedded]
        assert embedded["model"] == "fake-embed" and embedded["input"][0] == "东西拍了啥时候能寄出来呀？"
        assert "48 小时内从杭州仓发出" in fake.requests[-1][1]["messages"][0]["content"]


REJECTED = [
    ("link", "详情看这里 https://shop.example.cn/mask 哦～"),
    ("phone", "有问题可以打 138 0013 8000 找我们～"),
    ("number", "面膜现在只要 99 元一盒，很划算！"),
    ("number", "一般三天就能到哦。"),
    ("promise", "放心，不满意保证给你退款！"),
    ("medical", "这款面膜可以治疗痘痘，效果很好。"),
    ("no_answer", "[不知道]"),
    ("empty", "   "),
    ("garbage", "\x00\x01\x02\x03\x04\x05\x06\x07 面膜"),
    ("too_long", "面膜" * 400),
]


@pytest.mark.parametrize(("reason", "output"), REJECTED, ids=[f"{r}-{i}" for i, (r, _) in enumerate(REJECTED)])
async def test_an_answer_the_guard_rejects_becomes_the_embedded_answer(wanzi, wecom, model, reason: str,
                                                                      output: str) -> None:
    fake, _ = model
    fake.behaviour = fake.says(output)
    (reply,) = await says(wanzi, wecom, "wmLlm0003", QUESTION)
    assert any(p in reply for p in FALLBACK), reply
    assert not output.strip() or output.strip()[:8] not in reply
    assert await outcomes(wanzi) == [reason]
    async with wanzi.sessions() as s:  # the honest fallback keeps its promise machinery
        assert await s.scalar(select(UnansweredQuestion.text)) == QUESTION
    metrics = (await metrics_text(wanzi.app)).decode()
    assert f'wanzi_llm_fallbacks_total{{reason="{reason}"}} 1.0' in metrics
    assert 'wanzi_llm_calls_total{outcome="rejected"} 1.0' in metrics


async def error(status: int, body: bytes = b"{}") -> web.StreamResponse:
    return web.Response(status=status, body=body, content_type="application/json")


@pytest.mark.parametrize(("reason", "make"), [
    ("http", lambda _: error(500, b'{"error": {"message": "overloaded"}}')),
    ("http", lambda _: error(401, b'{"error": {"message": "invalid api key"}}')),
    ("bad_response", lambda _: error(200, b"<html>gateway</html>")),
    ("bad_response", lambda _: error(200, json.dumps({"choices": []}).encode())),
], ids=["500", "401", "not-json", "no-choices"])
async def test_a_failing_server_means_the_embedded_answer(wanzi, wecom, model, reason: str, make: Behaviour) -> None:
    fake, _ = model
    fake.behaviour = make
    (reply,) = await says(wanzi, wecom, "wmLlm0004", QUESTION)
    assert any(p in reply for p in FALLBACK), reply
    assert await outcomes(wanzi) == [reason]
    metrics = (await metrics_text(wanzi.app)).decode()
    assert f'wanzi_llm_fallbacks_total{{reason="{reason}"}} 1.0' in metrics
    assert f'wanzi_llm_calls_total{{outcome="{reason}"}} 1.0' in metrics


async def test_a_statement_the_model_cannot_handle_gets_the_chat_reply(wanzi, wecom, model) -> None:
    fake, _ = model
    fake.behaviour = lambda _: error(503)
    (reply,) = await says(wanzi, wecom, "wmLlm0005", "我今天去公园散步了")
    assert not any(p in reply for p in FALLBACK)
    async with wanzi.sessions() as s:  # not a question: nothing is kept as unanswered
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_a_model_that_never_answers_is_given_up_on_at_the_timeout(db_url, wecom, clock, model) -> None:
    fake, base_url = model
    fake.behaviour = fake.hangs()
    async with running(db_url, wecom, clock, base_url, timeout_s=0.3) as bot:
        (reply,) = await says(bot, wecom, "wmLlm0006", QUESTION)  # the server is still "thinking"
        assert any(p in reply for p in FALLBACK), reply
        assert not fake.release.is_set() and len(fake.requests) == 1
        assert await outcomes(bot) == ["timeout"]
        async with bot.sessions() as s:  # the call was made and measured
            assert await s.scalar(select(LlmReply.latency_ms)) is not None
        assert 'wanzi_llm_fallbacks_total{reason="timeout"} 1.0' in (await metrics_text(bot.app)).decode()


async def test_the_daily_token_budget_stops_calls_until_the_next_day(db_url, wecom, clock, model) -> None:
    fake, base_url = model
    fake.behaviour = fake.says(ANSWER, usage=(900, 200))
    async with running(db_url, wecom, clock, base_url, daily_budget_tokens=1000) as bot:
        assert await says(bot, wecom, "wmLlm0007", QUESTION) == [ANSWER]  # 1,100 tokens: the budget is spent
        (second,) = await says(bot, wecom, "wmLlm0008", QUESTION)
        assert any(p in second for p in FALLBACK) and len(fake.requests) == 1  # no call made
        assert await outcomes(bot) == ["answered", "budget"]
        assert 'wanzi_llm_fallbacks_total{reason="budget"} 1.0' in (await metrics_text(bot.app)).decode()
        clock.advance(24 * 3600)  # a new local day, a new budget
        assert await says(bot, wecom, "wmLlm0009", QUESTION) == [ANSWER]


async def test_the_budget_is_shared_by_every_replica(db_url, wecom, clock, model) -> None:
    fake, base_url = model
    fake.behaviour = fake.says(ANSWER, usage=(900, 200))
    first = await start(db_url, wecom, clock, base_url, daily_budget_tokens=1000)
    second = await BotUnderTest.start(make_config(db_url, wecom.base_url, llm={
        "enabled": True, "base_url": base_url, "model": "fake-chat", "daily_budget_tokens": 1000}), clock)
    try:
        assert await says(first, wecom, "wmLlm0010", QUESTION) == [ANSWER]
        wecom.connect(f"{second.url}/wecom/callback")  # the next callbacks reach the other replica
        (reply,) = await says(second, wecom, "wmLlm0011", QUESTION)
        assert any(p in reply for p in FALLBACK) and len(fake.requests) == 1
    finally:
        await second.stop()
        await first.stop()


async def test_escalation_still_wins_and_the_model_is_never_asked(wanzi, wecom, model) -> None:
    fake, _ = model
    await says(wanzi, wecom, "wmLlm0012", "我要转人工，面膜用了不舒服能退款吗？")
    async with wanzi.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 1
    assert fake.requests == [] and await outcomes(wanzi) == []


async def test_a_person_taking_the_chat_before_the_model_answers_keeps_the_persona_silent(
        wanzi, wecom, model) -> None:
    fake, _ = model
    await wecom.customer_says("wmLlm0013", QUESTION)
    await asyncio.wait_for(wanzi.drain(), 60)
    assert wecom.customer_inbox("wmLlm0013")[-1] == ANSWER  # baseline: answered
    await says(wanzi, wecom, "wmLlm0013", "我要转人工")
    sent = len(fake.requests)
    assert await says(wanzi, wecom, "wmLlm0013", "还有个问题，面膜可以冷藏吗？") == []  # the advisor has it
    assert len(fake.requests) == sent


async def test_with_the_backend_off_nothing_is_queued_and_the_fallback_is_immediate(db_url, wecom, clock,
                                                                                    model) -> None:
    fake, base_url = model
    async with running(db_url, wecom, clock, base_url, enabled=False) as bot:
        (reply,) = await says(bot, wecom, "wmLlm0014", QUESTION)
        assert any(p in reply for p in FALLBACK) and fake.requests == [] and await outcomes(bot) == []


async def test_the_digest_reports_answers_fallbacks_tokens_and_latency(wanzi, wecom, model, clock) -> None:
    fake, _ = model
    await says(wanzi, wecom, "wmLlm0015", QUESTION)
    fake.behaviour = fake.says("详见 https://example.cn")
    await says(wanzi, wecom, "wmLlm0016", QUESTION)
    async with wanzi.sessions() as s:
        values = await llm_numbers(s, Window.of(clock.now().astimezone(SH).date(), SH))
    assert values["service.llm_answers"] == 1
    assert values["service.llm_tokens"] == 300
    assert values["service.llm_fallbacks"] == Breakdown((("含链接", 1),))
    assert values["service.llm_latency_median"] is not None
    assert all(default_registry().has(key) for key in values)  # the digest shows them


VAGUE = "有什么福利吗"  # the coupon entry is plausible, not sure ("你们这是真货吗" is answered since conv23)


@pytest.mark.parametrize("make", [FakeModel.says("[不知道]"), lambda _: error(500)], ids=["declines", "fails"])
async def test_a_question_the_model_does_not_answer_gets_the_plausible_entries_to_choose_from(
        wanzi, wecom, model, make: Behaviour) -> None:
    fake, _ = model
    fake.behaviour = make
    (offer,) = await says(wanzi, wecom, "wmLlm0020", VAGUE)
    assert "「有优惠券吗」" in offer  # 猜你想问 (its one entry asked yes or no), as with the model off
    (answer,) = await says(wanzi, wecom, "wmLlm0020", "1")
    assert "满 199 减 30" in answer
    assert len(fake.requests) == 1  # the pick is settled without the model
    async with wanzi.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_a_vague_question_the_model_answers_gets_its_answer_not_an_offer(wanzi, wecom, model) -> None:
    (reply,) = await says(wanzi, wecom, "wmLlm0021", VAGUE)
    assert ANSWER in reply and "回复数字" not in reply
