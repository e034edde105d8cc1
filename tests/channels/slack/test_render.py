"""Slack rendering: golden turns, inert echoes, one-shot buttons, Slack's limits, the manifest.

Regenerate the golden files with `UPDATE_GOLDEN=1 pytest tests/channels/slack`.
"""

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.channels.slack.render import (
    ASK_BLOCK_ID,
    DM_POINTER,
    HomeData,
    SlackPayload,
    action_value,
    chosen,
    escape,
    home_view,
    parse_action_value,
    plain,
    render_turn,
    to_mrkdwn,
)
from dialogs.model import Ask, Choice, Message, Prompt, Say

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "golden"
MANIFEST = ROOT / "deploy" / "slack" / "manifest.yml"
HOSTILE = "<!channel> <@U123> <https://evil|click> & **x**"
SCOPES = {
    "im:history",
    "im:read",
    "im:write",
    "chat:write",
    "commands",
    "app_mentions:read",
    "users:read",
    "files:write",
}
EVENTS = {
    "message.im",
    "app_mention",
    "app_home_opened",
    "user_change",
    "app_uninstalled",
    "tokens_revoked",
}


def choices(n: int) -> tuple[Choice, ...]:
    return tuple(Choice(f"c{i}", f"Option {i}") for i in range(n))


LONG_TEXT = "\n".join(
    f"• Point {i}: **notice** what went well & what to change <next time>." for i in range(60)
)
TURNS: dict[str, tuple[Message, ...]] = {
    "say_bold_bullets": (
        Say("**Welcome.** Here is what I can do:\n• **start** – a conversation\n• `journal`"),
    ),
    "say_ask_three": (
        Say("On Monday you wrote:\n> rushed it"),
        Ask("How did it go?", choices(3), token="q7", topic="follow_up#k1"),
    ),
    "ask_thirteen_select": (
        Ask("Which theme?", choices(13), token="q8", topic="onboarding#themes"),
    ),
    "prompt_placeholder": (Prompt("What is on your mind?", placeholder="a tricky meeting"),),
    "long_text": (Say(LONG_TEXT),),
    "hostile_echo": (
        Say(f"You wrote:\n> {HOSTILE}"),
        Prompt("Say more?", placeholder=HOSTILE),
    ),
}


def as_json(payload: SlackPayload) -> dict[str, Any]:
    return {"text": payload.text, "blocks": payload.blocks}


def texts_in(node: Any) -> list[str]:
    """Every "text" string anywhere in a block tree."""
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() for t in texts_in(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts_in(item)]
    return []


# ---------------------------------------------------------------- golden turns


@pytest.mark.parametrize("name", sorted(TURNS))
def test_turn_matches_golden_file(name: str) -> None:
    actual = as_json(render_turn(TURNS[name]))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert json.loads(path.read_text("utf-8")) == actual


# ---------------------------------------------------------------- text


def test_escape_replaces_ampersand_first() -> None:
    assert escape("&lt; <a> & b") == "&amp;lt; &lt;a&gt; &amp; b"


@pytest.mark.parametrize(
    "hostile", ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C42>", "<https://x|y>"]
)
def test_every_mention_and_link_form_comes_out_inert(hostile: str) -> None:
    messages = (
        Say(f"> {hostile}"),
        Ask(hostile, choices(2), token="q1"),
        Prompt(hostile, placeholder=hostile),
    )
    dumped = json.dumps([as_json(render_turn(messages)), chosen([], hostile), plain(hostile)])
    dumped += to_mrkdwn(hostile) + json.dumps(home_view(HomeData(hostile, (hostile,), (hostile,))))
    for form in ("<!", "<@", "<#", "<http"):
        assert form not in dumped


def test_every_mrkdwn_text_is_verbatim_so_slack_links_nothing_itself() -> None:
    payload = render_turn(TURNS["hostile_echo"])
    objects = [b["text"] for b in payload.blocks if b["type"] == "section"]
    objects += [e for b in payload.blocks if b["type"] == "context" for e in b["elements"]]
    assert objects
    assert all(o["type"] == "mrkdwn" and o["verbatim"] is True for o in objects)


def test_to_mrkdwn_converts_bold_and_keeps_bullets_quotes_and_code() -> None:
    text = "**Yes** and **no**\n• one\n> you said 3 > 2\n`timezone Europe/London`"
    assert to_mrkdwn(text) == (
        "*Yes* and *no*\n• one\n> you said 3 &gt; 2\n`timezone Europe/London`"
    )


def test_plain_drops_markup_and_quotes_quoted_lines() -> None:
    assert plain("**Bold** `code`\n> rushed it\n• item") == "Bold code\n“rushed it”\n• item"


# ---------------------------------------------------------------- choices


def test_action_value_is_compact_json_and_round_trips() -> None:
    value = action_value("q7", "kept", "follow_up#k1")
    assert value == '{"t":"q7","c":"kept","p":"follow_up#k1"}'
    assert parse_action_value(value) == ("q7", "kept", "follow_up#k1")


def test_every_rendered_value_round_trips() -> None:
    ask = Ask("Pick", choices(13), token="q9", topic="menu")
    (select,) = render_turn((ask,)).blocks[-1]["elements"]
    parsed = [parse_action_value(o["value"]) for o in select["options"]]
    assert parsed == [("q9", c.id, "menu") for c in ask.choices]


def test_a_topic_too_long_for_slack_is_dropped_not_the_answer() -> None:
    value = action_value("q1", "yes", "x" * 200)
    assert len(value) <= 150
    assert parse_action_value(value) == ("q1", "yes", "")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "null",
        '"q1"',
        "[]",
        "{}",
        '{"t":"q1"}',
        '{"t":"","c":"yes"}',
        '{"t":1,"c":"yes"}',
        '{"t":"q1","c":"yes","p":3}',
        "[" * 100_000,
        '{"t":"q1","c":"yes"',
        "\udcff",
    ],
)
def test_malformed_values_give_none(value: str) -> None:
    assert parse_action_value(value) is None


def test_up_to_six_choices_are_buttons_with_unique_ids() -> None:
    blocks = render_turn((Ask("Pick", choices(6), token="q1"),)).blocks
    actions = blocks[-1]
    assert actions["block_id"] == ASK_BLOCK_ID
    assert [e["type"] for e in actions["elements"]] == ["button"] * 6
    assert len({e["action_id"] for e in actions["elements"]}) == 6


def test_labels_are_cut_to_75_characters() -> None:
    ask = Ask("Pick", (Choice("a", "x" * 100),), token="q1")
    (button,) = render_turn((ask,)).blocks[-1]["elements"]
    assert len(button["text"]["text"]) == 75
    assert button["text"]["text"].endswith("…")


def test_only_the_last_ask_gets_buttons_because_only_its_token_is_live() -> None:
    turn = (Ask("First?", choices(2), token="q1"), Ask("Second?", choices(2), token="q2"))
    actions = [b for b in render_turn(turn).blocks if b["type"] == "actions"]
    assert len(actions) == 1
    assert parse_action_value(actions[0]["elements"][0]["value"]) == ("q2", "c0", "")


def test_chosen_replaces_the_buttons_with_the_escaped_label() -> None:
    blocks = render_turn(TURNS["say_ask_three"]).blocks
    before = json.dumps(blocks)
    after = chosen(blocks, "Kept it <@U1>")
    assert json.dumps(blocks) == before, "the input must not change"
    assert not [b for b in after if b["type"] == "actions"]
    assert after[:-1] == blocks[:-1]
    assert after[-1]["elements"][0]["text"] == "✓ You chose: *Kept it &lt;@U1&gt;*"


def test_chosen_twice_changes_nothing_more() -> None:
    once = chosen(render_turn(TURNS["say_ask_three"]).blocks, "Kept it")
    assert chosen(once, "Other") == once


# ---------------------------------------------------------------- limits


def test_huge_input_stays_within_slack_limits_and_keeps_the_question() -> None:
    messages: list[Message] = [Say("<&>" * 7_000 + "\n" + "word " * 5_000) for _ in range(30)]
    messages.append(Ask("**Still with me?**", choices(13), token="q1"))
    payload = render_turn(messages)
    assert len(payload.blocks) <= 50
    assert 0 < len(payload.text) <= 3_000
    assert all(0 < len(t) <= 3_000 for t in texts_in(payload.blocks))
    assert payload.blocks[-1]["block_id"] == ASK_BLOCK_ID
    assert payload.blocks[-2]["text"]["text"] == "*Still with me?*"


def test_long_text_is_split_without_breaking_an_entity() -> None:
    payload = render_turn((Say("&" * 10_000),))
    texts = [b["text"]["text"] for b in payload.blocks]
    assert len(texts) > 1
    assert all(len(t) <= 2_900 for t in texts)
    assert all(re.fullmatch(r"(&amp;)+", t) for t in texts)
    assert re.fullmatch(r"(&amp;)+…", payload.text)


def test_many_prompts_still_fit_in_fifty_blocks() -> None:
    payload = render_turn([Prompt(f"Question {i}?", "x") for i in range(40)])
    assert len(payload.blocks) == 50
    assert payload.blocks[-1]["elements"][0]["text"].startswith("_Part of this message")


def test_an_empty_turn_still_has_fallback_text() -> None:
    payload = render_turn(())
    assert payload == SlackPayload(text="A message from peercoach", blocks=[])


def test_an_ask_without_choices_has_no_empty_actions_block() -> None:
    blocks = render_turn((Ask("Noted.", (), token="q1"),)).blocks
    assert [b["type"] for b in blocks] == ["section"]


# ---------------------------------------------------------------- App Home


def action_ids(view: dict[str, Any]) -> list[str]:
    actions = [b for b in view["blocks"] if b["type"] == "actions"]
    return [e["action_id"] for block in actions for e in block["elements"]]


@pytest.mark.parametrize(("paused", "toggle"), [(False, "home_pause"), (True, "home_resume")])
def test_home_offers_pause_or_resume(paused: bool, toggle: str) -> None:
    view = home_view(HomeData(paused=paused))
    assert view["type"] == "home"
    assert action_ids(view) == ["home_start", "home_nudge", toggle]


def test_home_shows_its_content_escaped_and_counts() -> None:
    data = HomeData(
        next_nudge="Tomorrow 08:30",
        schedules=("Weekdays 08:30",),
        commitments=("Ask Sam & <@U9> for feedback",),
        nudges_answered=4,
        conversations_completed=2,
        commitments_acted_on=1,
    )
    dumped = json.dumps(home_view(data), ensure_ascii=False)
    assert "Tomorrow 08:30" in dumped
    assert "Ask Sam &amp; &lt;@U9&gt; for feedback" in dumped
    assert all(f"*{n}*" in dumped for n in (4, 2, 1))


def test_home_without_a_schedule_says_so_and_caps_long_lists() -> None:
    view = home_view(HomeData(commitments=tuple(f"c{i}" for i in range(25))))
    dumped = json.dumps(view, ensure_ascii=False)
    assert "No nudges scheduled" in dumped
    assert "…and 15 more" in dumped


def test_dm_pointer_points_to_a_dm_and_the_slash_command() -> None:
    assert "/coach" in DM_POINTER
    assert "direct message" in DM_POINTER


# ---------------------------------------------------------------- manifest


def test_manifest_asks_for_exactly_the_scopes_and_events_we_use() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    assert manifest["_metadata"]["major_version"] == 1
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert "user" not in manifest["oauth_config"]["scopes"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == EVENTS


def test_manifest_turns_on_the_home_tab_dms_and_coach_command() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert features["bot_user"] == {"display_name": "peercoach", "always_online": True}
    (command,) = features["slash_commands"]
    assert command["command"] == "/coach"
    assert command["should_escape"] is False
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False


def test_a_value_names_its_leader_and_is_refused_to_anyone_else() -> None:
    ann, ben = "a" * 16, "b" * 16
    value = action_value("f:c8", "kept", "followup#c8", ann)
    assert parse_action_value(value, ann) == ("f:c8", "kept", "followup#c8")
    assert parse_action_value(value, ben) is None
    older = action_value("f:c8", "kept", "followup#c8")  # a release before values named one
    assert parse_action_value(older, ben) == ("f:c8", "kept", "followup#c8")
