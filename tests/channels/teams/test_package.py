"""The Teams app package: a zip Teams accepts, with a personal-only bot and valid icons."""

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from bot.channels.teams.package import COMMAND_LIMIT, Developer, build_package, read_png_size
from bot.channels.teams.package import COMMANDS as PACKAGE_COMMANDS

APP_ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
COMMANDS = [
    "help",
    "start",
    "prep",
    "nudge",
    "journal",
    "schedule",
    "pause",
    "resume",
    "export",
    "forget me",
]


@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(build_package(APP_ID, tmp_path, host="bot.example.org"))


def manifest_of(package: zipfile.ZipFile) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(package.read("manifest.json"))
    return manifest


def rgba_pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    """Decode the PNGs build_package writes: 8-bit RGBA, every row unfiltered."""
    width, height = read_png_size(data)
    assert data[24:26] == bytes([8, 6])  # bit depth 8, colour type RGBA
    idat, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += length + 12
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = []
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        assert row[0] == 0
        pixels += [(row[i], row[i + 1], row[i + 2], row[i + 3]) for i in range(1, stride, 4)]
    return pixels


def test_zip_holds_the_manifest_and_both_icons_at_its_root(package: zipfile.ZipFile) -> None:
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert package.testzip() is None


def test_manifest_has_the_required_fields(package: zipfile.ZipFile) -> None:
    manifest = manifest_of(package)
    version = manifest["manifestVersion"]
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )
    assert (manifest["id"], manifest["version"]) == (APP_ID, "1.0.0")
    assert set(manifest["developer"]) == {"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"}
    assert all(url.startswith("https://") for url in list(manifest["developer"].values())[1:])
    assert manifest["name"]["short"] == "peercoach"
    assert len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"].startswith("#")
    assert len(manifest["accentColor"]) == 7
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["bot.example.org", "token.botframework.com"]


def test_the_command_list_keeps_to_teams_limits() -> None:
    """Teams rejects a list of more than ten commands, titles over 32 characters and
    descriptions over 128; the ten chosen include `prep` (see COMMANDS)."""
    assert len(PACKAGE_COMMANDS) <= COMMAND_LIMIT == 10
    assert all(len(t) <= 32 and len(d) <= 128 for t, d in PACKAGE_COMMANDS)


def test_bot_is_personal_only_with_the_ten_commands(package: zipfile.ZipFile) -> None:
    (bot,) = manifest_of(package)["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal"]
    assert (bot["supportsFiles"], bot["isNotificationOnly"]) == (True, False)
    (command_list,) = bot["commandLists"]
    assert command_list["scopes"] == ["personal"]
    assert [c["title"] for c in command_list["commands"]] == COMMANDS
    assert all(c["description"] for c in command_list["commands"])


def test_icons_have_the_sizes_teams_requires(package: zipfile.ZipFile) -> None:
    assert read_png_size(package.read("color.png")) == (192, 192)
    assert read_png_size(package.read("outline.png")) == (32, 32)


def test_colour_icon_is_full_colour_in_the_accent(package: zipfile.ZipFile) -> None:
    pixels = rgba_pixels(package.read("color.png"))
    centre_left = pixels[96 * 192 + 12]
    assert centre_left == (0x00, 0x5E, 0xB8, 255)
    assert (255, 255, 255, 255) in pixels


def test_outline_icon_is_white_on_a_transparent_background(package: zipfile.ZipFile) -> None:
    pixels = rgba_pixels(package.read("outline.png"))
    assert pixels[0][3] == pixels[-1][3] == 0
    assert all(p[3] == 0 or p == (255, 255, 255, 255) for p in pixels)
    assert sum(p[3] == 0 for p in pixels) > len(pixels) // 2
    assert any(p[3] == 255 for p in pixels)


def test_without_a_host_only_the_bot_framework_domain_is_valid(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_package(APP_ID, tmp_path / "app.zip")) as package:
        assert manifest_of(package)["validDomains"] == ["token.botframework.com"]


def test_a_zip_path_is_used_as_given_and_builds_are_reproducible(tmp_path: Path) -> None:
    first = build_package(APP_ID, tmp_path / "a" / "teams.zip")
    second = build_package(APP_ID, tmp_path / "b.zip")
    assert first == tmp_path / "a" / "teams.zip"
    assert first.read_bytes() == second.read_bytes()


def test_developer_and_name_are_used(tmp_path: Path) -> None:
    developer = Developer(
        "Example NHS Foundation Trust",
        "https://a.nhs.uk",
        "https://a.nhs.uk/p",
        "https://a.nhs.uk/t",
    )
    path = build_package(APP_ID, tmp_path, name="Coach", developer=developer)
    assert path.name == "Coach.zip"
    manifest = manifest_of(zipfile.ZipFile(path))
    assert manifest["developer"]["name"] == "Example NHS Foundation Trust"
    assert manifest["name"]["short"] == "Coach"


@pytest.mark.parametrize(
    "app_id",
    [
        "",
        "peercoach",
        "1b4e28ba2fa111d2883f0016d3cca427",
        f"{{{APP_ID}}}",
        APP_ID[:-1],
        APP_ID + "0",
    ],
)
def test_an_app_id_that_is_not_a_guid_is_refused(tmp_path: Path, app_id: str) -> None:
    with pytest.raises(ValueError, match="is not a GUID"):
        build_package(app_id, tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"host": "https://bot.example.org/"}, "bare domain"),
        ({"name": "a name much longer than thirty characters"}, "1 to 30"),
        ({"developer": Developer(website_url="http://example.org")}, "https://"),
        ({"developer": Developer(name="x" * 33)}, "at most 32"),
    ],
)
def test_values_teams_would_reject_are_refused(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_package(APP_ID, tmp_path, **kwargs)


def test_read_png_size_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        read_png_size(b"GIF89a")
