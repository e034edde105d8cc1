"""Nudge schedules: rules for local times, storage, the delivery ledger and the scheduler."""
