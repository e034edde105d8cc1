"""What a leader tells their peers: the wording of `organisation`, `about` and `avoid`
(content/profile.yaml) and the organisations answers are matched against
(content/organisations.yaml, optional)."""

from dataclasses import dataclass

from dialogs.content_reader import FileReader
from dialogs.organisations import Organisation, organisation_key
from dialogs.yamlsource import YamlList, YamlMap, line_of

TEXT_MAX = 400
KEYS = (
    "organisation_is",
    "organisation_none",
    "organisation_matched",
    "organisation_as_typed",
    "organisation_several",
    "organisation_cleared",
    "organisation_too_long",
    "organisation_question",
    "organisation_skip",
    "organisation_skipped",
    "about_is",
    "about_none",
    "about_saved",
    "about_too_long",
    "about_cleared",
    "avoid_none",
    "avoid_list",
    "avoid_added",
    "avoid_already",
    "avoid_removed",
    "avoid_not_on",
    "avoid_self",
    "avoid_unknown",
    "avoid_several",
    "avoid_full",
    "avoid_who",
)
_NAME = {"organisation"}
PLACEHOLDERS: dict[str, set[str]] = {
    "organisation_is": _NAME,
    "organisation_matched": _NAME,
    "organisation_as_typed": _NAME,
    "organisation_several": _NAME,
    "organisation_too_long": {"limit", "length"},
    "about_is": {"about"},
    "about_saved": {"about"},
    "about_too_long": {"limit", "length"},
    "avoid_list": {"names"},
    "avoid_added": {"name"},
    "avoid_already": {"name"},
    "avoid_removed": {"name"},
    "avoid_not_on": {"name"},
    "avoid_unknown": {"name"},
    "avoid_several": {"name"},
    "avoid_full": {"limit"},
}
ORGANISATION_FIELDS = ("name", "short_names", "ods", "region")


@dataclass(frozen=True)
class ProfileCopy:
    texts: tuple[tuple[str, str], ...]

    def get(self, key: str, **values: object) -> str:
        text = dict(self.texts)[key]
        return text.format(**values) if values else text


def load_profile_copy(reader: FileReader, data: YamlMap) -> ProfileCopy | None:
    reader.unknown_keys(data, KEYS, "profile")
    placeholders = {key: PLACEHOLDERS.get(key, set()) for key in KEYS}
    values = reader.texts(data, placeholders, "profile", max_len=TEXT_MAX)
    if values is None:
        return None
    return ProfileCopy(tuple(values.items()))


def load_organisations(reader: FileReader, data: YamlMap) -> tuple[Organisation, ...]:
    """Each listed organisation; a name or short name that two of them share is an error,
    as an answer could not tell them apart."""
    found: list[Organisation] = []
    owner: dict[str, str] = {}
    for line, item in reader.items(data, "organisations", "organisations.yaml"):
        m = reader.mapping(item, "an organisation", line)
        if m is None:
            continue
        reader.unknown_keys(m, ORGANISATION_FIELDS, "organisation")
        name = reader.text(m, "name", "organisation", max_len=120)
        if name is None:
            continue
        what = f"organisation {name!r}"
        shorts = _short_names(reader, m, what)
        ods = reader.text(m, "ods", what, max_len=6, required=False)
        region = reader.text(m, "region", what, max_len=80, required=False)
        organisation = Organisation(name, shorts, ods.upper() if ods else None, region)
        for key in organisation.match_keys():
            if key in owner and owner[key] != name:
                reader.problem(
                    line,
                    f"{what}: {key!r} also names {owner[key]!r}; give each organisation its "
                    "own names, or leave the shared one out",
                )
            owner.setdefault(key, name)
        found.append(organisation)
    return tuple(found)


def _short_names(reader: FileReader, m: YamlMap, what: str) -> tuple[str, ...]:
    value = m.get("short_names")
    if value is None:
        return ()
    if not isinstance(value, YamlList):
        reader.problem(line_of(m, "short_names"), f"{what}: `short_names` must be a list")
        return ()
    names: list[str] = []
    for line, item in zip(value.item_lines, value, strict=True):
        if not isinstance(item, str) or not organisation_key(item):
            reader.problem(line, f"{what}: each short name must be text with letters or digits")
        else:
            names.append(" ".join(item.split()))
    return tuple(names)
