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
