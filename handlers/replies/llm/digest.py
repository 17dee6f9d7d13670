"""The digest's LLM line: answers the model gave, the embedded answers given instead (by reason),
tokens spent and the median time of a call. Nothing shows on days the backend made no call."""

from __future__ import annotations

import statistics
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window
from storage.models import LlmReply

ANSWERS = Metric("service.llm_answers", "大模型回答", "service", priority=3,
                 note="知识库没把握时由大模型回答、且通过了检查的消息数")
FALLBACKS = Metric("service.llm_fallbacks", "大模型未用（原因）", "service", kind="breakdown", priority=4, better=-1,
                   note="交给大模型但改由内置回复回答的消息：超时、接口出错、输出被拦截、预算用完等")
TOKENS = Metric("service.llm_tokens", "大模型 tokens", "service", priority=4, better=0,
                note="当天调用大模型用掉的 tokens（提问加回答，所有服务器合计；与每日 tokens 预算同一个计数）")
LATENCY = Metric("service.llm_latency_median", "大模型耗时中位数", "service", kind="seconds", priority=4, better=-1,
                 note="一次大模型调用（含失败）的耗时中位数")

REASONS = {"timeout": "超时", "http": "接口出错", "bad_response": "返回无法解析", "budget": "预算用完",
           "deadline": "等待过久", "no_answer": "知识库无答案", "empty": "空回答", "garbage": "乱码",
           "too_long": "太长", "link": "含链接", "phone": "含电话", "number": "数字不在知识库",
           "promise": "含承诺", "medical": "含医疗说法"}


async def llm_numbers(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    rows = (await session.execute(
        select(LlmReply.outcome, LlmReply.prompt_tokens + LlmReply.completion_tokens, LlmReply.latency_ms)
        .where(window.covers(LlmReply.created_at), LlmReply.status == "done"))).all()
    if not rows:
        return {}
    fallbacks: dict[str, int] = {}
    for outcome, _, _ in rows:
        if outcome not in ("answered", "held", "gone"):
            label = REASONS.get(outcome, outcome)
            fallbacks[label] = fallbacks.get(label, 0) + 1
    latencies = [ms / 1000 for _, _, ms in rows if ms is not None]
    tokens = await session.scalar(select(func.coalesce(func.sum(LlmReply.prompt_tokens + LlmReply.completion_tokens),
                                                       0)).where(window.covers(LlmReply.created_at)))
    return {ANSWERS.key: sum(1 for outcome, _, _ in rows if outcome == "answered"),
            FALLBACKS.key: Breakdown(tuple(sorted(fallbacks.items(), key=lambda kv: (-kv[1], kv[0])))),
            TOKENS.key: int(tokens or 0),
            LATENCY.key: statistics.median(latencies) if latencies else None}


LLM_PROVIDER = Provider("llm", (ANSWERS, FALLBACKS, TOKENS, LATENCY), compute=llm_numbers, order=25)
