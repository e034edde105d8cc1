"""The wording of peer circle commands, invitations and answers (content/circles.yaml): one
text per key, each with the placeholders the circle service fills in."""

from dataclasses import dataclass

from dialogs.content_reader import FileReader
from dialogs.yamlsource import YamlMap

TEXT_MAX = 900  # the help texts are lists of commands; every other line is far shorter
_CIRCLE = frozenset({"name", "id"})
# key: the placeholders its text may use
KEYS: dict[str, frozenset[str]] = {
    "coach_help": frozenset(),
    "leader_help": frozenset(),
    "format_pairs": frozenset(),
    "format_trios": frozenset(),
    "format_sets": frozenset(),
    "cadence_weekly": frozenset({"day"}),
    "cadence_weeks": frozenset({"weeks", "day"}),
    "status_active": frozenset(),
    "status_paused": frozenset(),
    "status_ended": frozenset(),
    "example_new": frozenset(),
    "example_invite": frozenset(),
    "example_circle": frozenset({"verb"}),
    "only_coaches": frozenset(),
    "new_no_format": frozenset(),
    "new_no_every": frozenset(),
    "new_unknown_word": frozenset({"word"}),
    "new_no_name": frozenset(),
    "new_name_long": frozenset({"limit"}),
    "new_bad_every": frozenset({"limit"}),
    "new_bad_day": frozenset({"day"}),
    "new_bad_from": frozenset({"date"}),
    "new_from_range": frozenset({"date"}),
    "new_usage": frozenset(),
    "created": _CIRCLE | {"format", "cadence", "first"},
    "which_circle": frozenset({"verb"}),
    "no_circle": frozenset({"circle"}),
    "not_yours": frozenset({"name"}),
    "is_ended": frozenset({"name"}),
    "invite_usage": frozenset(),
    "invite_no_leaders": frozenset(),
    "invite_self": frozenset(),
    "invited": frozenset({"names"}),
    "invite_already_in": frozenset({"names"}),
    "invite_waiting": frozenset({"names"}),
    "invite_not_found": frozenset({"reason"}),
    "invitation": frozenset({"coach", "name", "format", "cadence", "first"}),
    "join_label": frozenset(),
    "decline_label": frozenset(),
    "joined": frozenset({"name", "first"}),
    "declined": frozenset({"name", "coach"}),
    "coach_joined": frozenset({"leader", "name"}),
    "coach_declined": frozenset({"leader", "name"}),
    "invitation_gone": frozenset(),
    "show_title": _CIRCLE | {"format", "cadence", "status"},
    "show_members": frozenset({"count"}),
    "show_member": frozenset({"leader", "organisation"}),
    "show_member_no_org": frozenset({"leader"}),
    "show_no_members": frozenset(),
    "show_waiting": frozenset({"names"}),
    "show_next": frozenset({"date"}),
    "show_no_next": frozenset(),
    "round_usage": frozenset({"id"}),
    "rounds_not_ready": frozenset(),
    "paused": frozenset({"name"}),
    "resumed": frozenset({"name"}),
    "ended": frozenset({"name"}),
    "already_status": frozenset({"name", "status"}),
    "members_paused": frozenset({"name", "coach"}),
    "members_resumed": frozenset({"name", "coach"}),
    "members_ended": frozenset({"name", "coach"}),
    "coach_list_title": frozenset(),
    "coach_list_item": _CIRCLE | {"format", "cadence", "status", "members", "next"},
    "coach_list_empty": frozenset(),
    "leader_list_title": frozenset(),
    "leader_list_item": _CIRCLE | {"coach", "next"},
    "leader_list_skip": frozenset(),
    "leader_list_invited": _CIRCLE | {"coach"},
    "leader_list_empty": frozenset(),
    "no_next": frozenset(),
    "not_member": frozenset({"circle"}),
    "left": frozenset({"name"}),
    "coach_left": frozenset({"leader", "name"}),
    "skipping": frozenset({"name", "date"}),
    "skipping_already": frozenset({"name"}),
    "form_title": frozenset(),
    "form_submit": frozenset(),
    "form_name": frozenset(),
    "form_name_hint": frozenset(),
    "form_format": frozenset(),
    "form_every": frozenset(),
    "form_day": frozenset(),
    "form_from": frozenset(),
}


@dataclass(frozen=True)
class CircleCopy:
    texts: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, **values: str) -> str:
        """The text of `key` with its placeholders filled."""
        text = dict(self.texts)[key]
        return text.format(**values) if values else text


def load_circle_copy(reader: FileReader, data: YamlMap) -> CircleCopy | None:
    reader.unknown_keys(data, KEYS, "circles")
    values = reader.texts(data, KEYS, "circles", max_len=TEXT_MAX)
    if values is None:
        return None
    return CircleCopy(tuple(values.items()))
