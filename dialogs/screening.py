"""Checks every message passes before anything is stored: stray characters, patient
numbers and distress."""

import re

from dialogs.content_model import Safety
from dialogs.safety_match import Screening

# Ten digits, optionally grouped with spaces or hyphens (943 476 5919, 943-476-5919).
_TEN_DIGITS = re.compile(r"(?<![\d])(?:\d[ \-]?){9}\d(?![\d])")
_WEIGHTS = range(10, 1, -1)
_MODULUS = 11
# Control characters but tab and line breaks; bidirectional embeddings, overrides and
# isolates; zero-width space, word joiner and byte-order mark.
_STRAY = dict.fromkeys(
    [
        *(c for c in range(0x20) if chr(c) not in "\t\n\r"),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200B,
        0x2060,
        0xFEFF,
    ]
)


def printable(text: str) -> str:
    """What a leader typed, without characters that only do harm once stored and echoed:
    control characters, overrides that would make the coach's own sentence read backwards,
    and invisible separators that would hide a patient number from the check below."""
    return text.translate(_STRAY)


def is_nhs_number(digits: str) -> bool:
    """The NHS number Modulus 11 check on exactly ten digits."""
    if len(digits) != 10 or not digits.isdigit():  # noqa: PLR2004 - NHS numbers have ten digits
        return False
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    check = _MODULUS - total % _MODULUS
    if check == _MODULUS:
        check = 0
    return check != 10 and check == int(digits[9])  # noqa: PLR2004 - 10 means "never valid"


def holds_nhs_number(text: str) -> bool:
    """True when the text holds something that passes as an NHS number."""
    return any(
        is_nhs_number(re.sub(r"\D", "", match.group())) for match in _TEN_DIGITS.finditer(text)
    )


def distress(text: str, safety: Safety) -> Screening | None:
    """Which safety level (and rule) the text triggers, if any; see content/safety.yaml."""
    return safety.screener.screen(text)
