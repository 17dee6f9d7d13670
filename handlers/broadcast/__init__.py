"""Broadcasts: /broadcast <tag> <template> counts the audience, /confirm queues it through the push
gate in resumable chunks of 500 by a background worker."""
