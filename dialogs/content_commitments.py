"""The wording of commitment follow-up questions and check-ins (content/commitments.yaml)."""

from dataclasses import dataclass
from typing import Any, Literal

from dialogs.content_reader import FileReader
from dialogs.yamlsource import YamlList, YamlMap, line_of

CommitmentKind = Literal["action", "question"]
COMMITMENT_KINDS: tuple[CommitmentKind, ...] = ("action", "question")
GIVEN_PARTS = ("what", "who", "when")  # what a conversation (or the question itself) gives

TEXT_MAX = 300
GAP_KEYS = (
    "ask_question",
    "ask_what",
    "ask_who",
    "ask_when",
    "ask_what_who",
    "ask_what_when",
    "ask_who_when",
    "ask_what_who_when",
    "ask_before_meeting",  # any gap at a prep's step: the meeting is tomorrow
)
KEYS = (
    *GAP_KEYS,
    "placeholder",
    "ask_meeting_day",  # a meeting named without its day, in a dialogue or after "Partly"
    "gap_number",  # a bare number at the follow-up: one line, then the question again
    "gap_dont_know",  # a "don't know" there: the same
    "gap_yes",  # a bare "yes" there: the same
    "date_past",
    "date_far",
    "date_after_meeting",  # a prep: a day after tomorrow's meeting
    "before_meeting_dated",  # a prep's gap question, when the day given is after the meeting
    "before_meeting_when",  # a prep: that day questioned again, the person named: only when
    "before_meeting_step",  # a prep's step kept with no time before the meeting
    "before_meeting_catch",  # a prep: a name typed alone at "Who … onside …?" is the step
    "date_placeholder",
    "time_placeholder",  # a prep's "When tomorrow, before it starts?"
    "as_written",
    "day_picked",
    "no_check_in",
    "nothing_kept",  # the same, where nothing typed was worth keeping ("x", then "x")
    "note_dated",  # a day typed just after a closing with a note: the note's check-in
    "note_no_step",  # the same, where the note has no action or no person: it stays a note
    "not_yet_question",
    "not_yet_placeholder",
    "not_yet_again",
    "next_step_question",  # after "Partly" or "Not yet": one next step, with a day
    "next_step_placeholder",
    "next_step_planned",
    "same_gap_planned",  # a bare "yes" to that question: the first check-in's gap again
    "check_in_missed",  # typed text at "How did it go?" that is none of its answers
    "partly_heard",  # "Partly": a short line before "what did you notice?"
    "blocked_heard",  # "Not yet": a short line after what got in the way
    "no_new_check_in",  # after "Partly", a next step with no day
    "keep_question",  # after "I did it": what happened?
    "keep_placeholder",
    "kept_outcome",  # what happened, quoted back, and: what made it work?
    "kept_no_outcome",  # the same question, when what happened was a "don't know"
    "worked_placeholder",
)
PLACEHOLDERS = {
    "date_past": {"day"},
    "date_far": {"day"},
    "date_after_meeting": {"day"},
    "before_meeting_dated": {"day"},
    "before_meeting_step": {"step"},
    "before_meeting_catch": {"who"},
    "ask_meeting_day": {"meeting"},
    "not_yet_again": {"day"},
    "next_step_planned": {"day"},
    "same_gap_planned": {"day"},
    "kept_outcome": {"outcome"},
}


@dataclass(frozen=True)
class CommitmentCopy:
    """Keyed by KEYS; `gap(("who", "when"))` is the question for those missing parts."""

    texts: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str:
        return dict(self.texts)[key]

    def gap(self, parts: tuple[str, ...], *, prep: bool = False) -> str:
        """The question for the missing `parts`; before a meeting tomorrow, one that fits it."""
        if prep and "question" not in parts:
            return self.get("ask_before_meeting")
        return self.get("ask_" + "_".join(parts))


def load_commitments(reader: FileReader, data: YamlMap) -> CommitmentCopy | None:
    reader.unknown_keys(data, KEYS, "commitments")
    placeholders = {key: PLACEHOLDERS.get(key, set()) for key in KEYS}
    values = reader.texts(data, placeholders, "commitments", max_len=TEXT_MAX)
    if values is None:
        return None
    return CommitmentCopy(tuple(values.items()))


def parse_commitment_fields(reader: FileReader, m: YamlMap, what: str) -> dict[str, Any]:
    """`given:`, `builds_on:`, `expects:` and `follow_up:` of a commitment step (see Step)."""
    given: list[str] = []
    raw = m.get("given")
    if raw is not None:
        items = list(raw) if isinstance(raw, YamlList) else [raw]
        for item in items:
            if item in GIVEN_PARTS and item not in given:
                given.append(str(item))
            else:
                reader.problem(
                    line_of(m, "given"),
                    f"{what}: `given` holds {item!r}; list what the conversation already gives, "
                    "from: what, who, when (e.g. `given: [who]` when it is about one named peer)",
                )
    expects = reader.one_of(
        m,
        "expects",
        what,
        options=COMMITMENT_KINDS,
        default="action",
        example="`expects: question` when the commitment is a question to ask",
    )
    builds_on = reader.text(m, "builds_on", what, required=False)
    follow_up = reader.text(m, "follow_up", what, required=False, max_len=TEXT_MAX)
    said = tuple(given) if raw is not None else None
    return {"given": said, "builds_on": builds_on, "expects": expects, "follow_up": follow_up}
