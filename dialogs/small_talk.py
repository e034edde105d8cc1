"""Greetings and thanks typed outside a conversation: answered as a person would, not with
"I'm not sure which conversation fits that" (walked after review 7: "hi" after "Not now")."""

import re

from dialogs import texts

_GREETING = re.compile(
    r"(?:hi|hiya|hello|hey|hey there|hi there|hello there|morning|good morning|afternoon|"
    r"good afternoon|evening|good evening)(?: peercoach| coach)?"
)
_THANKS = re.compile(
    r"(?:thanks|thank you|thanks very much|thank you very much|many thanks|cheers|ta|"
    r"thanks a lot|great,? thanks|ok,? thanks|okay,? thanks|that'?s great,? thanks)"
    r"(?: peercoach| coach)?"
)

# After a conversation has closed: "that's it", "ok" (walked: "that is it" got "I'm not sure
# which conversation fits that").
_DONE = re.compile(
    r"(?:that'?s it|that is it|that'?s all|that is all|ok|okay|ok then|okay then|great|"
    r"good|fine|done|all done|no thanks|no thank you|not now|nothing else|bye|bye for now)"
)


def is_greeting(said: str) -> bool:
    """A bare "hi" or "good morning" (greeted back first wherever it is typed)."""
    return reply(said) == texts.GREETING


def reply(said: str) -> str | None:
    """The answer to a bare greeting or thank-you, or None for anything with more in it."""
    words = re.sub(r"[\s!.,:)(]+$", "", said.strip().lower().replace("’", "'"))
    words = re.sub(r"\s+", " ", words)
    if _GREETING.fullmatch(words):
        return texts.GREETING
    if _THANKS.fullmatch(words):
        return texts.THANKS
    if _DONE.fullmatch(words.replace("’", "'")):
        return texts.DONE
    return None
