"""Tiredness said on its own ("I'm exhausted"): the words that ask how long it has lasted
before any conversation is offered, and the words of the answer (review 12g). Distress,
"exhausted all the time" included, is screened before this (content/safety.yaml)."""

import re

# "Tired of the politics" is not tiredness.
TIRED = re.compile(
    r"\b(?:exhausted|knackered|shattered|drained|tired(?! of\b)|worn out|wiped out|done in|"
    r"running on fumes)\b",
    re.IGNORECASE,
)
# Typed at that question: words for a while (weeks, months) or for today; anything else is
# taken as a while, which names support as well as the offer.
WHILE = re.compile(r"\b(?:a while|for ages|weeks|months|years|a long time)\b", re.IGNORECASE)
TODAY = re.compile(
    r"\b(?:today|just today|this morning|this afternoon|tonight|long day|one day|"
    r"this week|just now|a bad day|the day)\b",
    re.IGNORECASE,
)


def tired(said: str) -> bool:
    """Tiredness, asked how long before a conversation is offered ("I'm exhausted")."""
    return TIRED.search(said.replace("’", "'")) is not None


def how_long(said: str) -> str:
    """A typed answer to "today, or for a while?": the id of the button it means."""
    return said_how_long(said) or "while"


def said_how_long(said: str) -> str | None:
    """ "today" or "while" when the words already say it ("knackered today", "tired for
    weeks"), so the question is not asked; None when they do not."""
    if WHILE.search(said):
        return "while"
    return "today" if TODAY.search(said) else None
