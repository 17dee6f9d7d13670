"""Broadcasts: /broadcast <tag> <template> counts the audience, /confirm queues it through the push
gate in resumable chunks of 500 by a background worker; the console's 群发 page does the same."""

from bot.feature import Feature, WorkerKit
from bot.workers import StepWorker, Worker
from handlers.broadcast import console
from handlers.broadcast.service import COMMANDS, expand_broadcasts


def workers(kit: WorkerKit) -> list[Worker]:
    return [StepWorker("broadcasts", lambda: expand_broadcasts(kit.sessions, kit.contexts),
                       kit.config.worker.poll_interval_s, on_work=kit.on_outbox,
                       wants=("staff_pending",))]  # a confirmed broadcast


FEATURE = Feature(name="broadcast", commands=COMMANDS, workers=workers, console=console.PAGES)
