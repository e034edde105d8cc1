"""Reading safety.yaml: the two levels' patterns, the everyday sayings that cancel them, and
the wording of the signpost and the check-in. Every problem names its line and the fix."""

import string
from typing import Any

from dialogs.content_model import Safety, SupportContact
from dialogs.content_reader import FileReader
from dialogs.safety_match import (
    MatchSettings,
    Pattern,
    Screener,
    forms_of,
    parse_pattern,
    single_folds,
)
from dialogs.yamlsource import YamlList, YamlMap, line_of

KEYS = (
    "gap",
    "typo_length",
    "same",
    "words",
    "personal",
    "not_typos",
    "someone_else",
    "clause",
    "own_feeling",
    "same_as_them",
    "crisis",
    "concern",
    "ordinary",
    "message",
    "contacts",
    "offer_pause",
    "offer_pause_choices",
    "check_in",
    "check_in_choices",
    "check_in_again",
    "check_in_kept",
    "check_in_reminder",
    "support_intro",
    "after_contacts",
    "carried_on",
    "paused",
    "stopped",
    "kept",
)
REPLIES = ("carried_on", "paused", "stopped", "kept")
# Optional: without them, the check-in's own words stand in (never the contacts again).
SHORT_CHECK_INS = ("check_in_again", "check_in_kept", "check_in_reminder", "after_contacts")
OFFER_CHOICES = ("pause", "keep")
# `contacts` shows the support contacts; the check-in itself does not list them (review 12h).
CHECK_IN_CHOICES = ("carry_on", "pause", "stop", "contacts")
OPTIONAL_LISTS = ("own_feeling", "same_as_them")
LABEL_MAX = 30
WHAT = "safety"


def load_safety(reader: FileReader, data: YamlMap) -> Safety | None:
    """The checked Safety content, or None when something required is missing or wrong."""
    reader.unknown_keys(data, KEYS, WHAT)
    screener = _screener(reader, data)
    message = reader.text(data, "message", WHAT, max_len=900)
    contacts = _contacts(reader, data)
    offer = reader.text(data, "offer_pause", WHAT, max_len=300)
    check_in = reader.text(data, "check_in", WHAT, max_len=400)
    replies = {key: reader.text(data, key, WHAT, max_len=300) for key in REPLIES}
    short = {k: reader.text(data, k, WHAT, required=False, max_len=200) for k in SHORT_CHECK_INS}
    support_intro = reader.text(data, "support_intro", WHAT, required=False, max_len=300)
    _placeholders(reader, data, replies | short)
    offer_choices = _choices(reader, data, "offer_pause_choices", OFFER_CHOICES)
    check_in_choices = _choices(reader, data, "check_in_choices", CHECK_IN_CHOICES)
    if (
        screener is None
        or message is None
        or not contacts
        or offer is None
        or check_in is None
        or offer_choices is None
        or check_in_choices is None
        or any(v is None for v in replies.values())
    ):
        return None
    return Safety(
        message=message,
        contacts=contacts,
        offer_pause=offer,
        offer_pause_choices=offer_choices,
        check_in=check_in,
        check_in_choices=check_in_choices,
        check_in_again=short["check_in_again"] or check_in,
        check_in_kept=short["check_in_kept"] or short["check_in_again"] or check_in,
        check_in_reminder=short["check_in_reminder"] or check_in,
        support_intro=support_intro or "",
        after_contacts=short["after_contacts"] or short["check_in_again"] or check_in,
        carried_on=str(replies["carried_on"]),
        paused=str(replies["paused"]),
        stopped=str(replies["stopped"]),
        kept=str(replies["kept"]),
        screener=screener,
    )


def _screener(reader: FileReader, data: YamlMap) -> Screener | None:
    gap = reader.integer(data, "gap", WHAT, 0, 5)
    typo_length = reader.integer(data, "typo_length", WHAT, 4, 12)
    same = _word_lists(reader, data, "same", required=False)
    words = _word_lists(reader, data, "words", required=False)
    personal = reader.phrases(data, "personal", WHAT, required=False)
    not_typos = reader.phrases(data, "not_typos", WHAT, required=False)
    someone_else = reader.phrases(data, "someone_else", WHAT, required=False)
    clause = reader.phrases(data, "clause", WHAT, required=False)
    if gap is None or typo_length is None:
        return None
    single = single_folds(same)
    levels = {
        level: _patterns(reader, data, level, words=words, gap=gap, single=single)
        for level in ("crisis", "concern", "ordinary", *OPTIONAL_LISTS)
    }
    if not levels["crisis"] or not levels["concern"]:
        return None
    settings = MatchSettings(
        gap=gap,
        typo_length=typo_length,
        same=same,
        personal=frozenset(personal),
        not_typos=frozenset(not_typos),
        someone_else=frozenset(f for word in someone_else for f in forms_of(word)),
        clause=frozenset(clause),
    )
    screener = Screener(
        settings,
        levels["crisis"],
        levels["concern"],
        levels["ordinary"],
        levels["own_feeling"],
        levels["same_as_them"],
    )
    _check_reachable(reader, data, screener)
    return screener


def _check_reachable(reader: FileReader, data: YamlMap, screener: Screener) -> None:
    """Each pattern, typed as a message, must trigger: otherwise an `ordinary` saying (or a
    folding in `same`) cancels it everywhere, and it can never match."""
    for level, patterns in (("crisis", screener.crisis), ("concern", screener.concern)):
        value = data.get(level)
        lines = value.item_lines if isinstance(value, YamlList) else []
        by_text = {
            " ".join(str(v).split()): line for line, v in zip(lines, value or [], strict=False)
        }
        for pattern in patterns:
            sample = " ".join(min(slot).rstrip("*") for slot in pattern.slots)
            if screener.screen(sample) is None:
                reader.problem(
                    by_text.get(pattern.text, line_of(data, level)),
                    f"{WHAT}: pattern {pattern.text!r} in `{level}` never matches: "
                    f"the message {sample!r} triggers nothing; an `ordinary` saying or a "
                    "`same` folding cancels it; change one of them",
                    warning=True,
                )


def _patterns(
    reader: FileReader,
    data: YamlMap,
    level: str,
    *,
    words: dict[str, tuple[str, ...]],
    gap: int,
    single: dict[str, str],
) -> tuple[Pattern, ...]:
    value = data.get(level)
    if level in ("ordinary", *OPTIONAL_LISTS) and value is None:
        return ()
    if not isinstance(value, YamlList) or not value:
        reader.problem(
            line_of(data, level),
            f"{WHAT}: `{level}` must be a list of patterns, e.g. `- cant cope`",
        )
        return ()
    found: list[Pattern] = []
    for line, item in zip(value.item_lines, value, strict=True):
        if not isinstance(item, str) or not item.strip():
            reader.problem(line, f"{WHAT}: each pattern of `{level}` must be text, e.g. cant cope")
            continue
        if item != item.lower():
            reader.problem(
                line, f"{WHAT}: pattern {item!r} must be lowercase; write {item.lower()!r}"
            )
            continue
        parsed = parse_pattern(" ".join(item.split()), words, gap, single)
        if isinstance(parsed, str):
            reader.problem(line, f"{WHAT}: pattern {item!r} in `{level}`: {parsed}")
        else:
            found.append(parsed)
    return tuple(found)


def _word_lists(
    reader: FileReader, data: YamlMap, key: str, *, required: bool
) -> dict[str, tuple[str, ...]]:
    """`name: [word, word]` lines: lists for `@name`, or other spellings for `same`."""
    value = data.get(key)
    if value is None:
        if required:
            reader.problem(data.line, f"{WHAT}: `{key}` is missing; add `{key}:`")
        return {}
    m = reader.mapping(value, f"{WHAT}: `{key}`", line_of(data, key))
    if m is None:
        return {}
    lists: dict[str, tuple[str, ...]] = {}
    for name, items in m.items():
        line = line_of(m, name)
        if not name.isalpha() or name != name.lower():
            reader.problem(line, f"{WHAT}: `{key}` name {name!r} must be one lowercase word")
            continue
        if not isinstance(items, YamlList) or not all(_is_lower_text(i) for i in items):
            reader.problem(
                line, f"{WHAT}: `{key}: {name}` must be a list of lowercase words, e.g. [a, b]"
            )
            continue
        lists[name] = tuple(" ".join(str(i).split()).replace("'", "") for i in items)
    return lists


def _is_lower_text(item: Any) -> bool:
    return isinstance(item, str) and bool(item.strip()) and item == item.lower()


def _contacts(reader: FileReader, data: YamlMap) -> tuple[SupportContact, ...]:
    contacts: list[SupportContact] = []
    for line, item in reader.items(data, "contacts", WHAT):
        m = reader.mapping(item, "a contact", line)
        if m is None:
            continue
        reader.unknown_keys(m, ("name", "detail"), "safety contact")
        name = reader.text(m, "name", "safety contact", max_len=80)
        detail = reader.text(m, "detail", "safety contact", max_len=200)
        if name and detail:
            contacts.append(SupportContact(name, detail))
    return tuple(contacts)


def _choices(
    reader: FileReader, data: YamlMap, key: str, wanted: tuple[str, ...]
) -> tuple[tuple[str, str], ...] | None:
    value = data.get(key)
    m = reader.mapping(value, f"{WHAT}: `{key}`", line_of(data, key)) if value else None
    if m is None:
        reader.problem(
            line_of(data, key) or data.line,
            f"{WHAT}: `{key}` must give a button label for each of: {', '.join(wanted)}",
        )
        return None
    reader.unknown_keys(m, wanted, f"{WHAT} `{key}`")
    labels = {name: reader.text(m, name, f"{WHAT} `{key}`", max_len=LABEL_MAX) for name in wanted}
    if any(label is None for label in labels.values()):
        return None
    return tuple((name, str(label)) for name, label in labels.items())


def _placeholders(reader: FileReader, data: YamlMap, replies: dict[str, str | None]) -> None:
    allowed = {"paused": {"day"}}
    for key, text in replies.items():
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text or "") if name}
        except ValueError:
            names = {"{"}
        for name in sorted(names - allowed.get(key, set())):
            fill = ", ".join("{" + a + "}" for a in sorted(allowed.get(key, ()))) or "nothing"
            reader.problem(
                line_of(data, key),
                f"{WHAT}: `{key}` uses {{{name}}}; only {fill} is filled in there",
            )
