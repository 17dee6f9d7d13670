"""LLM: kf customers asking what the knowledge base cannot answer, through a real `wanzi serve`
process: without the model (the baseline), and with `[llm]` against a fake OpenAI-compatible server in
this process that answers after MODEL_DELAY_S (a provider's pace) or never answers. Reports the
customer's wait (their message → the reply reaching WeCom, the emulator) and the model stage alone
(`llm_reply.created_at` → `done_at`: the handler queued the message → the reply was queued), which
must stay within timeout_s + 1 s while calls for different customers overlap."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from aiohttp import web

from bench.callbacks import free_port
from bench.common import Row, percentile, serving
from emulator import Emulator, EmulatorConfig

CUSTOMERS = int(os.environ.get("BENCH_LLM", "100"))
SECONDS = 10.0  # the customers' messages are spread over this time
TIMEOUT_S = 3.0
MODEL_DELAY_S = 1.0
QUESTION = "你们家的面膜可以天天敷吗？"  # not in the demo knowledge base
ANSWER = "面膜不建议天天敷哦，皮肤也需要休息～"


async def fake_model(hang: bool) -> tuple[web.AppRunner, str]:
    async def complete(request: web.Request) -> web.StreamResponse:
        await request.read()
        await asyncio.sleep(3600 if hang else MODEL_DELAY_S)
        return web.json_response({"choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": ANSWER}}],
                                  "usage": {"prompt_tokens": 700, "completion_tokens": 30, "total_tokens": 730}})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", complete)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/v1"


async def model_stage(db_url: str) -> dict[str, tuple[float, float]]:
    """(handler queued the message, reply queued) as epoch seconds, per customer."""
    from sqlalchemy import select

    from storage import db
    from storage.models import Customer, LlmReply

    engine = db.create_engine(db_url)
    try:
        async with db.session_factory(engine)() as session:
            rows = (await session.execute(select(Customer.external_userid, LlmReply.created_at, LlmReply.done_at)
                                          .join(Customer, Customer.id == LlmReply.customer_id))).all()
    finally:
        await engine.dispose()
    return {ext: (created.timestamp(), done.timestamp()) for ext, created, done in rows if done is not None}


def spread(values: list[float]) -> str:
    return f"{percentile(values, 50):.2f} / {percentile(values, 99):.2f} / {max(values):.2f} s" if values else "—"


async def run_llm(backend: str, db_url: str, work: Path, *, mode: str) -> Row:
    """`mode`: "off" (no [llm], the baseline), "slow" (answers in MODEL_DELAY_S) or "hang"."""
    server, base_url = await fake_model(mode == "hang")
    emu = Emulator(EmulatorConfig(callback_retry_delay=1.0))
    await emu.start()
    env = {} if mode == "off" else {
        "WANZI_LLM__ENABLED": "true", "WANZI_LLM__BASE_URL": base_url, "WANZI_LLM__MODEL": "fake-chat",
        "WANZI_LLM__TIMEOUT_S": str(TIMEOUT_S), "WANZI_LLM__DAILY_BUDGET_TOKENS": "0"}
    try:
        async with serving(emu, db_url, work / f"llm-{backend}-{mode}.log", env):
            return await questions(emu, backend, db_url, mode)
    finally:
        await emu.stop()
        await server.cleanup()


async def questions(emu: Emulator, backend: str, db_url: str, mode: str) -> Row:
    asked: dict[str, float] = {}

    async def one(i: int) -> None:
        ext = f"wmLlmBench{i:05d}"
        asked[ext] = time.time()
        await emu.customer_says(ext, QUESTION)

    started = time.time()
    tasks = []
    for i in range(CUSTOMERS):
        tasks.append(asyncio.create_task(one(i)))
        await asyncio.sleep(max(0.0, started + (i + 1) * SECONDS / CUSTOMERS - time.time()))
    await asyncio.gather(*tasks)
    while time.time() - started < SECONDS + 4 * TIMEOUT_S + 10:
        if len({c.body.get("touser") for c in emu.calls("kf/send_msg") if c.ok}) >= len(asked):
            break
        await asyncio.sleep(0.2)
    first: dict[str, tuple[float, str]] = {}  # the customer's first reply: when WeCom got it, its text
    for call in emu.calls("kf/send_msg"):
        ext = call.body.get("touser") if call.ok else None
        if ext in asked and ext not in first:
            first[ext] = (call.at, call.body.get("text", {}).get("content", ""))
    waits = [at - asked[ext] for ext, (at, _) in first.items()]
    answered = sum(1 for _, text in first.values() if text == ANSWER)
    stages = await model_stage(db_url)
    before = [created - asked[ext] for ext, (created, _) in stages.items() if ext in asked]
    model = [done - created for created, done in stages.values()]
    after = [first[ext][0] - done for ext, (_, done) in stages.items() if ext in first]
    within = sum(1 for wait in model if wait <= TIMEOUT_S + 1)
    scenario = {"off": "off (baseline)", "slow": f"answers in {MODEL_DELAY_S:g} s", "hang": "never answers"}[mode]
    return Row(f"llm: {CUSTOMERS} kf questions in {SECONDS:g} s, timeout_s {TIMEOUT_S:g}", backend, {
        "model": scenario,
        "replied": f"{len(first)}/{len(asked)}",
        "model's answer": f"{answered}/{len(first)}",
        "customer's wait p50 / p99 / max": spread(waits),
        "to the handler": spread(before),
        "model stage": spread(model),
        f"model stage within {TIMEOUT_S + 1:g} s": f"{within}/{len(model)}" if model else "—",
        "reply queued → WeCom": spread(after),
        "load average (1 min)": f"{os.getloadavg()[0]:.1f}",  # the machine is shared: context for the times
    })
