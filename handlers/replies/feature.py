"""The persona answering customers in WeChat Customer Service: the knowledge base, the fallback and
unanswered questions, the conversation numbers of the digest."""

from bot.config import Section
from bot.feature import Feature
from handlers.replies import digest, routes
from handlers.replies.config import FaqConfig

FEATURE = Feature(
    name="replies",
    priority=100,  # the general answer: every more specific handler comes first
    routers=(routes.router,),
    digest=(digest.CONVERSATIONS, digest.KEYWORD_PROVIDER, digest.UNANSWERED_PROVIDER),
    config=(Section("faq", FaqConfig),),
)
