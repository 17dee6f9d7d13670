"""An optional OpenAI-compatible chat-completions client (DeepSeek, Qwen/DashScope compatible mode,
Ollama, vLLM, ...) on aiohttp, and its `[llm]` configuration.

The platform owns the HTTP: features hand it chat messages and get back a `Completion` or an
`LlmError` whose `reason` says why not (timeout, http, bad_response). Streaming is off; every call
is bounded by one deadline covering connect, send and read. The reply body is read up to
MAX_BODY bytes, so a misbehaving server cannot fill the memory.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

import aiohttp

from bot.errors import ConfigError, LlmError

MAX_BODY = 1_000_000  # bytes of a completion response; a chat answer is a few KB
MAX_TIMEOUT_S = 60.0
CHARS_PER_TOKEN = 1.5  # a rough count for servers that report no usage (CJK ~1-2 chars per token)


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """[llm]: an OpenAI-compatible model the persona may ask when the knowledge base has no answer."""

    enabled: bool = False
    base_url: str = ""  # up to the version path: https://api.deepseek.com, http://localhost:11434/v1
    api_key: str = ""  # secret: prefer WANZI_LLM__API_KEY; empty for servers without auth (Ollama)
    model: str = ""  # e.g. deepseek-chat, qwen-plus, qwen2.5:7b
    embedding_model: str = ""  # optional: /embeddings model that picks the grounding entries too
    timeout_s: float = 8.0  # the longest a customer waits for the model before the embedded answer
    max_tokens: int = 300  # of one answer; a kf text holds at most 2048 bytes
    temperature: float = 0.3
    daily_budget_tokens: int = 200_000  # prompt + completion tokens per local day, all replicas; 0 = no limit

    def check(self, where: str) -> None:
        if self.base_url:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise ConfigError(f"{where}.base_url", f"must be an http(s) URL like https://api.deepseek.com, "
                                                       f"got {self.base_url!r}")
        if any(c.isspace() for c in self.api_key):
            raise ConfigError(f"{where}.api_key", "must not contain spaces or line breaks")
        if not 0 < self.timeout_s <= MAX_TIMEOUT_S:
            raise ConfigError(f"{where}.timeout_s", f"must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds "
                                                    "(the customer waits that long at most)")
        if not 16 <= self.max_tokens <= 2048:
            raise ConfigError(f"{where}.max_tokens", "must be between 16 and 2048 (a kf text holds 2048 bytes)")
        if not 0.0 <= self.temperature <= 2.0:
            raise ConfigError(f"{where}.temperature", "must be between 0 and 2")
        if self.daily_budget_tokens < 0:
            raise ConfigError(f"{where}.daily_budget_tokens", "must be 0 (no limit) or a positive number of tokens")
        if self.enabled:
            for key in ("base_url", "model"):
                if not getattr(self, key).strip():
                    raise ConfigError(f"{where}.{key}", "is required when llm.enabled is true")


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    truncated: bool  # finish_reason "length": the model was cut off at max_tokens
    latency_s: float

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


class ChatClient:
    """POST {base_url}/chat/completions (and /embeddings), one bounded call each."""

    def __init__(self, config: LlmConfig, http: aiohttp.ClientSession) -> None:
        self.config = config
        self.http = http
        self.base = config.base_url.rstrip("/")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    async def _post(self, path: str, body: dict[str, Any], timeout_s: float) -> Any:
        try:
            async with asyncio.timeout(timeout_s):
                async with self.http.post(f"{self.base}{path}", json=body, headers=self._headers(),
                                          timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                    raw = bytearray()
                    async for chunk in resp.content.iter_chunked(65536):
                        raw += chunk
                        if len(raw) > MAX_BODY:
                            raise LlmError("bad_response", f"response over {MAX_BODY} bytes")
                    if resp.status != 200:
                        raise LlmError("http", f"HTTP {resp.status}", status=resp.status)
        except TimeoutError:
            raise LlmError("timeout", f"no answer within {timeout_s:g} s") from None
        except aiohttp.ClientError as exc:
            raise LlmError("http", type(exc).__name__) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise LlmError("bad_response", "not JSON") from None

    async def complete(self, messages: Sequence[dict[str, str]], *, timeout_s: float | None = None) -> Completion:
        """One chat completion; raises LlmError naming why there is none."""
        config = self.config
        limit = config.timeout_s if timeout_s is None else min(timeout_s, config.timeout_s)
        if limit <= 0:
            raise LlmError("timeout", "no time left before the customer's deadline")
        body = {"model": config.model, "messages": list(messages), "max_tokens": config.max_tokens,
                "temperature": config.temperature, "stream": False}
        started = time.monotonic()
        data = await self._post("/chat/completions", body, limit)
        latency = time.monotonic() - started
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"]
            finish = choice.get("finish_reason") or ""
        except (KeyError, IndexError, TypeError):
            raise LlmError("bad_response", "no choices[0].message.content") from None
        if not isinstance(text, str):
            raise LlmError("bad_response", "content is not a text")
        usage = data.get("usage") if isinstance(data, dict) else None
        prompt, completion = _usage(usage)
        if prompt is None or completion is None:  # the server reports no usage: count roughly
            prompt = sum(estimate_tokens(m.get("content", "")) for m in messages)
            completion = estimate_tokens(text)
        return Completion(text=text, prompt_tokens=prompt, completion_tokens=completion,
                          truncated=finish == "length", latency_s=latency)

    async def embed(self, texts: Sequence[str], *, timeout_s: float | None = None) -> list[list[float]]:
        """Vectors of `texts` from the configured embedding model (in input order)."""
        limit = self.config.timeout_s if timeout_s is None else min(timeout_s, self.config.timeout_s)
        data = await self._post("/embeddings", {"model": self.config.embedding_model, "input": list(texts)}, limit)
        try:
            rows = sorted(data["data"], key=lambda row: row.get("index", 0))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise LlmError("bad_response", "no data[].embedding") from None
        if len(vectors) != len(texts):
            raise LlmError("bad_response", f"{len(vectors)} embeddings for {len(texts)} texts")
        return vectors


def _usage(usage: Any) -> tuple[int | None, int | None]:
    if not isinstance(usage, dict):
        return None, None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if isinstance(prompt, int) and isinstance(completion, int) and prompt >= 0 and completion >= 0:
        return prompt, completion
    return None, None
