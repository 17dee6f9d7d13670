"""The persona answering customers in WeChat Customer Service: the knowledge base, the fallback and
unanswered questions, the conversation numbers of the digest."""

from bot.config import Section
from bot.feature import Feature
from bot.llm import LlmConfig
from handlers.replies import digest, routes
from handlers.replies.config import FaqConfig
from handlers.replies.llm import digest as llm_digest
from handlers.replies.llm.worker import workers

FEATURE = Feature(
    name="replies",
    priority=100,  # the general answer: every more specific handler comes first
    routers=(routes.router,),
    workers=workers,  # the optional LLM backend's worker (none unless [llm] enabled)
    digest=(digest.CONVERSATIONS, digest.KEYWORD_PROVIDER, digest.UNANSWERED_PROVIDER, llm_digest.LLM_PROVIDER),
    config=(Section("faq", FaqConfig), Section("llm", LlmConfig)),
)
