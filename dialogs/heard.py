"""A message that says how the leader is ("I'm exhausted", "they keep undermining me") is
met with one human line before any suggestion (review 12f: straight to "That sounds like
a good fit for…", which read like a pitch). The words are a rule; the line is in texts."""

import re

from dialogs import texts

# Feelings and knocks a leader types in passing; a risk to safety is screened before this.
HARD = re.compile(
    r"\b(?:exhausted|knackered|shattered|drained|tired|burn(?:ed|t|ing)? ?out|burnout|"
    r"worn out|running on empty|overwhelmed|struggling|stressed|fed up|gutted|upset|"
    r"miserable|awful|rubbish|furious|angry|frustrated|anxious|dreading|"
    r"undermin\w*|ignored|nobody listens|no one listens|went over my head|"
    r"lost my (?:job|post|role|title|job title)|made redundant|restructured? out)\b",
    re.IGNORECASE,
)


def acknowledgement(said: str) -> str | None:
    """The line that meets what was said, or None for a plain request ("board tomorrow")."""
    return texts.SOUNDS_HARD if HARD.search(said.replace("’", "'")) else None


# Tiredness on its own (distress, "exhausted all the time" included, is screened first): one
# question before any offer, today or built up (review 12g: straight to a three-minute audit).
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
