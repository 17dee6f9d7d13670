"""The persona answering customers in WeChat Customer Service: the knowledge base (editable at run
time: the 知识库 console page, `wanzi faq reload`), the fallback and unanswered questions, the
conversation numbers of the digest."""

from bot.config import Section
from bot.feature import Feature, WorkerKit
from bot.llm import LlmConfig
from bot.workers import StepWorker, Worker
from handlers.replies import console, digest, routes
from handlers.replies.config import FaqConfig
from handlers.replies.llm import digest as llm_digest
from handlers.replies.llm import worker as llm_worker
from handlers.services import Services


def workers(kit: WorkerKit) -> list[Worker]:
    """Every replica rebuilds its knowledge index when another one changed the knowledge base; the
    optional LLM backend's worker (none unless [llm] enabled)."""
    services: Services = kit.contexts.services
    return [StepWorker("knowledge", lambda: services.knowledge.sync_from(kit.sessions),
                       max(kit.config.of(FaqConfig).refresh_s, 0.5),
                       wants=("knowledge_entry", "knowledge_revision")), *llm_worker.workers(kit)]


FEATURE = Feature(
    name="replies",
    priority=100,  # the general answer: every more specific handler comes first
    routers=(routes.router,),
    lookahead=(routes.rank_ahead,),
    workers=workers,
    digest=(digest.CONVERSATIONS, digest.KEYWORD_PROVIDER, digest.UNANSWERED_PROVIDER, llm_digest.LLM_PROVIDER),
    console=console.PAGES,
    config=(Section("faq", FaqConfig), Section("llm", LlmConfig)),
)
