"""Peer circles' rounds: starting them, introductions, check-ins and the coach's report
(issue 14 §3-§5). RoundsService implements bot.circles.ports.RoundsPort."""

from bot.services.circle_rounds.people import People
from bot.services.circle_rounds.service import RoundsService

__all__ = ["People", "RoundsService"]
