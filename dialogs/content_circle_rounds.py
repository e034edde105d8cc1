"""The wording of peer-circle rounds (content/circle_rounds.yaml): each format's guide, and every
line a leader or coach reads about a round (introduction, check-in, staying, report)."""

from dataclasses import dataclass

from dialogs.content_reader import FileReader
from dialogs.yamlsource import YamlList, YamlMap, line_of

FORMATS = ("pairs", "trios", "sets")
GUIDE_LINES = (3, 6)  # a guide is 3 to 6 short lines
GUIDE_LINE_MAX = 140
TEXT_MAX = 300
# key -> the placeholders it may use
ROUND_KEYS: dict[str, frozenset[str]] = {
    "intro_heading": frozenset({"circle", "format"}),
    "intro_dates": frozenset({"starts", "ends"}),
    "format_pairs": frozenset(),
    "format_trios": frozenset(),
    "format_sets": frozenset(),
    "report_format_pairs": frozenset(),
    "report_format_trios": frozenset(),
    "report_format_sets": frozenset(),
    "intro_member": frozenset({"name", "organisation"}),
    "intro_member_no_organisation": frozenset({"name"}),
    "intro_member_about": frozenset({"about"}),
    "intro_facilitator": frozenset({"name"}),
    "intro_facilitator_you": frozenset(),
    "intro_guide_heading": frozenset(),
    "intro_slack": frozenset(),
    "intro_teams_link": frozenset({"link"}),
    "intro_reach_out": frozenset(),
    "group_heading": frozenset({"circle", "format", "starts", "ends"}),
    "check_in": frozenset({"circle", "ends"}),
    "check_in_met": frozenset(),
    "check_in_rescheduled": frozenset(),
    "check_in_not_this_round": frozenset(),
    "check_in_thanks_met": frozenset(),
    "check_in_thanks_other": frozenset(),
    "check_in_closed": frozenset(),
    "commit_question": frozenset(),
    "commit_placeholder": frozenset(),
    "commit_saved": frozenset({"day"}),
    "stay_question": frozenset({"circle", "missed"}),
    "stay_stay": frozenset(),
    "stay_leave": frozenset(),
    "stayed": frozenset({"circle"}),
    "left": frozenset({"circle"}),
    "stay_closed": frozenset(),
    "unseparated": frozenset({"circle", "number", "who"}),
    "unseparated_line": frozenset({"first", "second", "reason"}),
    "unplaced_line": frozenset({"name"}),
    "round_started": frozenset({"circle", "number", "groups", "starts", "ends"}),
    "round_closed_first": frozenset({"number"}),
    "round_not_active": frozenset({"circle"}),
    "round_too_few": frozenset({"circle", "count"}),
    "report_heading": frozenset({"circle", "format", "every"}),
    "report_members": frozenset({"count", "names"}),
    "report_no_members": frozenset(),
    "report_rounds": frozenset({"count"}),
    "report_round": frozenset({"number", "starts", "ends", "groups", "met", "answered"}),
    "report_round_hidden": frozenset({"number", "starts", "ends", "answered", "least"}),
    "report_next": frozenset({"day"}),
}


@dataclass(frozen=True)
class RoundCopy:
    """`text(key, **values)` for a round's lines; `guide(format)` for a format's guide."""

    texts: tuple[tuple[str, str], ...]
    guides: tuple[tuple[str, tuple[str, ...]], ...]

    def text(self, key: str, **values: object) -> str:
        return dict(self.texts)[key].format(**values)

    def guide(self, fmt: str) -> tuple[str, ...]:
        return dict(self.guides)[fmt]


def load_circle_rounds(reader: FileReader, data: YamlMap) -> RoundCopy | None:
    reader.unknown_keys(data, ("guides", "rounds"), "circle_rounds")
    guides = _guides(reader, data)
    rounds = reader.mapping(data.get("rounds"), "circle_rounds: `rounds`", line_of(data, "rounds"))
    if rounds is None:
        return None
    reader.unknown_keys(rounds, ROUND_KEYS, "circle_rounds: rounds")
    texts = reader.texts(rounds, ROUND_KEYS, "circle_rounds: rounds", max_len=TEXT_MAX)
    if guides is None or texts is None:
        return None
    return RoundCopy(tuple(texts.items()), guides)


def _guides(reader: FileReader, data: YamlMap) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    m = reader.mapping(data.get("guides"), "circle_rounds: `guides`", line_of(data, "guides"))
    if m is None:
        return None
    reader.unknown_keys(m, FORMATS, "circle_rounds: guides")
    found: list[tuple[str, tuple[str, ...]]] = []
    low, high = GUIDE_LINES
    for fmt in FORMATS:
        value = m.get(fmt)
        if not isinstance(value, YamlList) or not low <= len(value) <= high:
            reader.problem(
                line_of(m, fmt) if fmt in m else m.line,
                f"circle_rounds: guides: `{fmt}` must be a list of {low} to {high} short lines",
            )
            continue
        lines: list[str] = []
        for line, item in zip(value.item_lines, value, strict=True):
            text = " ".join(str(item).split()) if isinstance(item, str) else ""
            if not text:
                reader.problem(line, f"circle_rounds: guides: each line of `{fmt}` must be text")
            elif len(text) > GUIDE_LINE_MAX:
                reader.problem(
                    line,
                    f"circle_rounds: guides: a line of `{fmt}` is {len(text)} characters, over "
                    f"{GUIDE_LINE_MAX}; shorten it",
                )
            lines.append(text)
        found.append((fmt, tuple(lines)))
    return tuple(found) if len(found) == len(FORMATS) else None
