"""Promises kept: questions the persona could not answer are queued with their context, on-duty staff
hear of them in batches, /answer (or the console's 待答问题 page) sends the answer in the persona's
voice and `+faq` teaches the knowledge base; the digest counts the kept promises.

The persona's reply handler (through `replies.fallback.embedded_answer`) calls `queue.queue_question`
for a question it cannot answer."""

from bot.config import Section
from bot.feature import Feature
from handlers.questions import commands, console, digest, queue
from handlers.questions.answer import answer_refused
from handlers.questions.config import QuestionsConfig

FEATURE = Feature(
    name="questions",
    priority=95,  # no routes of its own: the replies feature asks it
    commands=commands.COMMANDS,
    jobs=queue.jobs,
    # an answer WeCom refused reopens its question (kf/send_msg, or the friend route's task)
    on_failure={"kf/send_msg": (answer_refused,), "externalcontact/add_msg_template": (answer_refused,)},
    digest=(digest.KEPT_PROMISES,),
    console=console.PAGES,
    config=(Section("questions", QuestionsConfig),),
)
