"""Community operations: interest-group topics, check-in campaigns, points and levels, referrals.

Service functions here are what handlers, jobs and staff commands call; each takes the
Context first, speaks through `ctx.outbox` and raises `CommandError` for staff mistakes.
"""
