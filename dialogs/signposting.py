"""What happens when a message triggers a safety level: crisis stops coaching and signposts
at once; concern pauses for a short check-in. Either way that day's scheduled nudge is held
(see due._held) and nothing of the message that triggered it is kept (kept, it could be
quoted back in a later question or nudge). What the leader types at the check-in after it,
and is not distress, is theirs like any other answer: kept in the journal."""

from datetime import datetime, timedelta

from dialogs import runner
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.echoes import is_short
from dialogs.matching import AGREEING, match_choice
from dialogs.model import Choice, PreferencesChanged, Reflection, SafetyAside, SuggestAside
from dialogs.safety_match import Level
from dialogs.timetext import local_date, long_date

PAUSE_DAYS = 7
_YES = tuple(sorted(AGREEING))  # the everyday yeses a suggestion's "Shall we?" takes too
# Other words for each choice, when it is typed rather than pressed. A "yes" carries on at
# the check-in ("Shall we carry on…?") and takes the break at the offer ("Would a break
# from nudges help?"); review 12g: "yes" there got the bare question again, three times.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "concern": {
        "carry_on": ("carry on", "keep going", "continue", "go on", "go ahead", *_YES),
        "pause": ("pause", "pause nudges", "pause them", "a break"),
        "stop": ("stop", "leave it", "stop here", "not now"),
        "contacts": (
            "support",
            "contacts",
            "support contacts",
            "show contacts",
            "show me",
            "show them",
            "the numbers",
            "support numbers",
            "numbers",
        ),
    },
    "crisis": {
        "pause": ("pause", "pause nudges", "pause them", "a break", *_YES),
        "keep": ("no", "no thanks", "keep them", "leave them", "keep going", "carry on"),
    },
}


def signpost(
    draft: Draft, content: Content, level: Level, at: datetime, suggest: str | None = None
) -> bool:
    """Answer a message that triggered `level`; the message itself is never stored. True
    when it was only a reminder (concern, with the contacts already shown today), after
    which the engine asks again whatever was being asked."""
    today = local_date(at, draft.state.profile.timezone)
    shown_today = draft.state.profile.signposted_on == today
    draft.update_profile(signposted_on=today)
    if level == "concern" and shown_today:
        draft.say(content.safety.check_in_reminder)  # one line, not the list again
        return True
    if level == "concern":
        aside = SafetyAside("concern", suggest=suggest)
        draft.update(aside=aside)
        present(draft, content, aside)
        return False
    draft.say(f"{content.safety.message}\n{contacts(content)}")
    runner.close(draft, at, "stopped")
    if _pause_running(draft, at):
        draft.update(aside=None, awaiting=None)
        return False
    aside = SafetyAside("crisis")
    draft.update(aside=aside)
    present(draft, content, aside)
    return False


def contacts(content: Content) -> str:
    return "\n".join(f"• **{c.name}**: {c.detail}" for c in content.safety.contacts)


def support(content: Content) -> str:
    """The contacts asked for (the check-in's button, or `support` at any time), with the
    line that names the proportionate ones first."""
    intro = content.safety.support_intro
    return f"{intro}\n{contacts(content)}" if intro else contacts(content)


def present(
    draft: Draft, content: Content, aside: SafetyAside, again: bool = False, kept: bool = False
) -> None:
    """Ask the check-in (concern) or the offer of a pause (crisis). `again`, after an answer
    that was none of its buttons: the buttons with one line that says why it is asking (or,
    `kept`, that what was typed is in the journal), not the contacts once more."""
    safety = content.safety
    if aside.level == "concern":
        choices = tuple(Choice(*c) for c in safety.check_in_choices)
        if again:
            text = safety.check_in_kept if kept else safety.check_in_again
        else:
            text = safety.check_in  # two lines; the contacts are one button away
        draft.ask(text, choices, topic="safety#concern")
    else:
        choices = tuple(Choice(*c) for c in safety.offer_pause_choices)
        draft.ask(safety.offer_pause, choices, topic="safety#crisis")


def choose(draft: Draft, content: Content, choice: str, at: datetime) -> None:
    """Carry on, pause nudges for a week, stop, keep nudges on, or show the contacts (after
    which the check-in's other choices are asked: it is never skipped)."""
    safety = content.safety
    if choice == "contacts":
        draft.say(support(content))
        others = tuple(Choice(*c) for c in safety.check_in_choices if c[0] != "contacts")
        draft.ask(safety.after_contacts, others, topic="safety#concern")
        return
    before = draft.state.aside
    draft.update(aside=None, awaiting=None)
    if choice == "carry_on":
        draft.say(safety.carried_on)  # the engine asks the dialogue's question again
        if isinstance(before, SafetyAside) and before.suggest and draft.state.dialogue is None:
            draft.update(aside=SuggestAside(before.suggest))  # offered by the engine next
    elif choice == "pause":
        until = local_date(at, draft.state.profile.timezone) + timedelta(days=PAUSE_DAYS)
        runner.close(draft, at, "stopped")
        draft.update_profile(paused=True, paused_until=until)
        draft.effect(PreferencesChanged())
        draft.say(safety.paused.format(day=long_date(until)))
    elif choice == "keep":
        draft.say(safety.kept)
    else:  # "stop", and the Stop button of a check-in stored before there were levels
        runner.close(draft, at, "stopped")
        draft.say(safety.stopped)


def typed_choice(draft: Draft, content: Content, said: str, at: datetime) -> bool:
    """A check-in's choice typed rather than pressed ("pause", "stop for now"), read before
    commands: typed here, "pause" means the week on offer, not an open-ended pause."""
    awaiting = draft.state.awaiting
    if not isinstance(draft.state.aside, SafetyAside) or awaiting is None:
        return False
    aliases = ALIASES[draft.state.aside.level]
    index = match_choice(said, [(c.label, *aliases.get(c.id, ())) for c in awaiting.choices])
    if index is None:
        return False
    choose(draft, content, awaiting.choices[index].id, at)
    return True


def text(draft: Draft, content: Content, aside: SafetyAside, said: str, at: datetime) -> None:
    """Typed at the check-in and none of its choices (screened already: not distress). Words
    that tell something are kept in the journal, as at any other menu (review 12g: "my
    answer was thrown away"); then the choices with one line, never the contacts again."""
    progress = draft.state.dialogue
    dialogue = content.dialogue(progress.dialogue) if progress else None
    story = aside.level == "concern" and not is_short(said)
    if story:
        reflection = Reflection(
            id=draft.next_id("r"),
            at=at,
            text=said,
            theme=dialogue.theme if dialogue else None,
            dialogue=dialogue.id if dialogue else None,
            step=progress.step if progress and dialogue else None,
        )
        draft.update(reflections=(*draft.state.reflections, reflection))
    present(draft, content, aside, again=True, kept=story)


def _pause_running(draft: Draft, at: datetime) -> bool:
    profile = draft.state.profile
    today = local_date(at, profile.timezone)
    return profile.paused and (profile.paused_until is None or today < profile.paused_until)
