"""Matching a leader's organisation against content/organisations.yaml, and the list itself."""

from pathlib import Path

import pytest

from dialogs.content import check_content
from dialogs.content_model import Content
from dialogs.organisations import Organisation, match_organisation, organisation_key
from tests.conftest import CONTENT_DIR

LTHT = "Leeds Teaching Hospitals NHS Trust"


@pytest.mark.parametrize(
    "said",
    [
        LTHT,
        "LTHT",
        "ltht",
        "Leeds Teaching Hospitals",
        "leeds teaching hospitals nhs trust.",
        "Leeds Teaching Hospitals (NHS Trust)",
        "  Leeds   Teaching Hospitals  ",
        "RR8",  # its ODS code
        "Leeds Teching Hospitals",  # a typo
        "Leeds Teaching Hopsitals",
    ],
)
def test_names_short_names_codes_and_typos_match_the_listed_organisation(
    content: Content, said: str
) -> None:
    found = match_organisation(said, content.organisations)
    assert found.organisation is not None
    assert found.name == LTHT
    assert found.key == organisation_key(LTHT) == "leeds teaching hospitals"


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("Guys & St Thomas", "Guy's and St Thomas' NHS Foundation Trust"),
        ("GSTT", "Guy's and St Thomas' NHS Foundation Trust"),
        ("Kings College Hospital", "King's College Hospital NHS Foundation Trust"),
        ("Moorfields", "Moorfields Eye Hospital NHS Foundation Trust"),
        ("west yorkshire integrated care board", "NHS West Yorkshire Integrated Care Board"),
        ("WY ICB", "NHS West Yorkshire Integrated Care Board"),
        ("Sheffield Teaching Hospitals FT", "Sheffield Teaching Hospitals NHS Foundation Trust"),
        ("nhse", "NHS England"),
    ],
)
def test_punctuation_and_shared_words_are_ignored(content: Content, said: str, name: str) -> None:
    assert match_organisation(said, content.organisations).name == name


@pytest.mark.parametrize("said", ["Leeds", "Manchester", "university hospitals", "Royal"])
def test_an_answer_that_fits_several_is_kept_as_typed_and_said_so(
    content: Content, said: str
) -> None:
    found = match_organisation(said, content.organisations)
    assert found.organisation is None
    assert found.several
    assert found.name == said


@pytest.mark.parametrize("said", ["St Elsewhere Community Services", "LTH", "Acme Health CIC"])
def test_an_unknown_answer_is_kept_as_typed_and_normalised_for_comparing(
    content: Content, said: str
) -> None:
    found = match_organisation(said, content.organisations)
    assert found.organisation is None
    assert not found.several
    assert found.name == said
    assert found.key == organisation_key(said)


def test_two_leaders_typing_the_same_unknown_place_differently_compare_equal() -> None:
    first = match_organisation("St Elsewhere NHS Foundation Trust", ())
    second = match_organisation("st. elsewhere (foundation trust)", ())
    assert first.key == second.key == "st elsewhere"
    assert first.name != second.name  # each kept as its leader wrote it


def test_a_short_answer_one_letter_off_is_not_taken_for_another_organisation() -> None:
    listed = (Organisation("Alpha Health NHS Trust", ("AHT",)),)
    assert match_organisation("AHX", listed).organisation is None
    assert match_organisation("aht", listed).organisation == listed[0]


def test_nothing_but_shared_words_is_no_organisation() -> None:
    assert match_organisation("NHS Foundation Trust", ()).key == ""


def test_the_shipped_list_is_clean_and_has_no_made_up_codes(content: Content) -> None:
    assert len(content.organisations) >= 30
    codes = [o.ods for o in content.organisations if o.ods]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 3 and c.isalnum() and c.isupper() for c in codes)
    assert all(o.region for o in content.organisations)


def test_a_name_two_organisations_share_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    import shutil  # noqa: PLC0415

    shutil.copytree(CONTENT_DIR, folder)
    (folder / "organisations.yaml").write_text(
        "organisations:\n"
        "  - name: Alpha NHS Trust\n"
        "    short_names: [ANT]\n"
        "  - name: Beta NHS Trust\n"
        "    short_names: [ANT]\n"
        "    colour: red\n"
    )
    loaded, problems = check_content(folder)
    said = [f"{p.line}: {p.message}" for p in problems if "organisations" in p.file]
    assert loaded is None
    assert any("'ant' also names 'Alpha NHS Trust'" in line for line in said)
    assert any("unknown field `colour`" in line for line in said)


def test_without_a_list_every_organisation_is_kept_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    import shutil  # noqa: PLC0415

    shutil.copytree(CONTENT_DIR, folder)
    (folder / "organisations.yaml").unlink()
    loaded, problems = check_content(folder)
    assert loaded is not None
    assert loaded.organisations == ()
    assert not [p for p in problems if p.severity == "error"]


def test_a_profile_line_with_a_placeholder_it_cannot_fill_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    import shutil  # noqa: PLC0415

    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "profile.yaml"
    path.write_text(
        path.read_text().replace('"Saved: {organisation}."', '"Saved: {organisation} ({ods})."')
    )
    loaded, problems = check_content(folder)
    assert loaded is None
    assert any(
        "`organisation_matched` uses {ods}; placeholders filled in here: {organisation}"
        in p.message
        for p in problems
    )
