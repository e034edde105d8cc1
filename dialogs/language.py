"""Is a message in English? A small, explainable check, so a message in Welsh or another
language gets a kind "English only for now" rather than a wrong suggestion.

Each language has a short list of its most common short words (function words, greetings)
that are not English words. A message is "not English" when at least two of its words are
on those lists and they make up more than half of its words of two letters or more, or when
most of its letters are not from the Latin alphabet. So "diolch! our bid was rejected" stays
English, and "dw i ddim yn gwybod" does not. Words that are also English ("no", "a", "me",
"do", "was", "die", "so", "in", "on") are left off the lists.
"""

import re
import unicodedata


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WELSH = _listed(
    "dw ddim diolch bore da shwmae ydw yn fy wedi eisiau siarad yfory beth gwybod wneud sut "
    "dy fawr ydy oes gyda hefyd iawn chi ti ni nhw rwy rydw roedd mae cyfarfod gwaith swydd "
    "helo hwyl prynhawn teimlo flinedig hapus ond neu efo isio gen ddoe heddiw rhaid gallu "
    "gwneud gen fi fe hi pam pryd ble pwy"
)
_SPANISH = _listed(
    "qué que hacer tengo una reunión mañana mi con el los las está estoy pero por para sé "
    "muy equipo cómo yo gracias hola del jefe trabajo puedo quiero sí"
)
_FRENCH = _listed(
    "je ne sais pas quoi faire ai une réunion demain avec le les des est suis mon ma mes et "
    "pour qui mais très bonjour merci oui fatigué travail chef équipe nous vous avoir être"
)
_GERMAN = _listed(
    "ich weiß nicht tun soll und der das ist bin mit mein meine wir sie auf ein eine habe "
    "morgen danke hallo kann nein ja arbeit chef heute"
)
_POLISH = _listed(
    "nie wiem co robić jest się mam jak czy dzień dobry dziękuję tak mój moja że pracy jutro"
)
_PORTUGUESE = _listed(
    "não sei fazer eu tenho uma reunião amanhã meu minha com obrigado obrigada está estou"
)
_ITALIAN = _listed("non cosa fare il mio capo con una ho sono che per domani grazie ciao lavoro")
FOREIGN_WORDS = _WELSH | _SPANISH | _FRENCH | _GERMAN | _POLISH | _PORTUGUESE | _ITALIAN
_LETTERS = re.compile(r"[^\W\d_]+")
_AT_LEAST = 2  # foreign words needed, so one borrowed word ("diolch!") never decides


def foreign_words(text: str) -> tuple[int, int]:
    """(words on the other languages' lists, words of two letters or more)."""
    tokens = [t for t in _LETTERS.findall(text.lower()) if len(t) >= 2]  # noqa: PLR2004
    return sum(t in FOREIGN_WORDS for t in tokens), len(tokens)


def not_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if letters:
        latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
        if latin * 2 < len(letters):  # mostly another script: Arabic, Urdu, Chinese...
            return True
    found, total = foreign_words(text)
    return found >= _AT_LEAST and found * 2 > total
