"""Scheduler ticks, the delivery outbox and the rate-limited dispatcher."""
