"""Commands a leader gives: run, or answered in passing with the conversation left where it
was, then the question that was waiting asked again. Split from engine.py by job."""

from datetime import datetime

from dialogs import (
    asides,
    journal,
    nudging,
    onboarding,
    peer_profile,
    routing,
    runner,
    signposting,
    texts,
)
from dialogs.commands import (
    AboutCommand,
    Command,
    CommandError,
    OrganisationCommand,
    Pause,
    QuietHours,
    SetTimezone,
    Share,
    Simple,
    StartDialogue,
    interrupts_an_answer,
)
from dialogs.content_model import Content, Dialogue
from dialogs.draft import Draft
from dialogs.model import (
    ExportRequested,
    ForgetAside,
    MenuAside,
    OnboardingAside,
    PreferencesChanged,
    SafetyAside,
)
from dialogs.timetext import local_date, long_date
from dialogs.timezones import spoken_zone


def accepts_command(draft: Draft, parsed: Command | CommandError) -> bool:
    """At a free-text question, only a whole, unmistakable command interrupts the answer."""
    awaiting = draft.state.awaiting
    return awaiting is None or bool(awaiting.choices) or interrupts_an_answer(parsed)


def run(draft: Draft, content: Content, command: Command | CommandError, at: datetime) -> None:
    """Carry out a command; one that only answers leaves the question asked again."""
    match command:
        case CommandError():
            draft.say(command.text)
            return
        case Simple(name="start"):
            draft.update(aside=MenuAside())
            asides.present(draft, content, MenuAside())
            return
        case StartDialogue(query=query):
            _start_named(draft, content, query, at)
            return
        case Simple(name="prep"):
            if content.prep() is None:
                draft.say(texts.NO_PREP)
            _open(draft, content, content.prep(), at)
            return
        case Simple(name="stop"):
            _stop(draft, content, at)
            return
        case Simple(name="forget"):
            draft.update(aside=ForgetAside())
            asides.present(draft, content, ForgetAside())
            return
        case Simple(name="nudge"):
            _nudge_now(draft, content, at)
            return
    run_passive(draft, content, command, at)
    return_to_question(draft, content)


def run_passive(draft: Draft, content: Content, command: Command, at: datetime) -> None:
    """Commands that answer and leave the conversation where it was."""
    profile = draft.state.profile
    match command:
        case Simple(name="help" | "privacy" | "support" as name):  # the whole notice: 12e
            notices = {"help": texts.HELP, "privacy": content.onboarding.privacy}
            draft.say(notices.get(name) or signposting.support(content))
        case Simple(name="journal"):
            draft.say(journal.render(draft.state, content, local_date(at, profile.timezone)))
        case Simple(name="export"):
            draft.effect(ExportRequested())
        case QuietHours():
            _quiet_hours(draft, command)
        case Simple(name="resume"):
            if not profile.paused:
                draft.say(texts.NOT_PAUSED)
                return
            draft.update_profile(paused=False, paused_until=None)
            draft.effect(PreferencesChanged())
            draft.say(texts.RESUMED)
        case Pause(until=until):
            if until is not None and until <= local_date(at, profile.timezone):
                draft.say(
                    f"{texts.PAUSE_IN_PAST} For example: `pause until "
                    f"{local_date(at, profile.timezone).replace(year=at.year + 1)}`"
                )
                return
            draft.update_profile(paused=True, paused_until=until)
            draft.effect(PreferencesChanged())
            today = local_date(at, profile.timezone)
            draft.say(
                texts.PAUSED_UNTIL.format(day=long_date(until, today)) if until else texts.PAUSED
            )
        case SetTimezone(zone=None):
            draft.say(texts.TIMEZONE_IS.format(zone=spoken_zone(profile.timezone)))
        case SetTimezone(zone=str(zone)):
            draft.update_profile(timezone=zone, timezone_source="leader")
            draft.effect(PreferencesChanged())
            draft.say(texts.TIMEZONE_SET.format(zone=spoken_zone(zone)))
        case Share(number=number, shared=shared):
            journal.share(draft, number, shared)
        case OrganisationCommand() | AboutCommand():
            peer_profile.run(draft, content, command)


def return_to_question(draft: Draft, content: Content) -> None:
    """After a passive command or a safety reminder, ask again whatever was being asked (a
    safety check-in's buttons without its contacts once more)."""
    aside = draft.state.aside
    if isinstance(aside, SafetyAside):
        signposting.present(draft, content, aside, again=True)
    elif isinstance(aside, OnboardingAside):
        onboarding.again(draft, content, aside)
    elif aside is not None:
        asides.present(draft, content, aside)
    elif draft.state.dialogue is not None:
        asides.resume(draft, content)


def _start_named(draft: Draft, content: Content, query: str, at: datetime) -> None:
    theme = asides.theme_named(content, query)
    if theme is not None:  # "start resilience": that theme's conversations to choose from
        draft.update(aside=MenuAside(theme=theme.id))
        asides.present(draft, content, MenuAside(theme=theme.id))
        return
    found = asides.find_in_menu(draft, content, query) or routing.suggest(query, content.dialogues)
    if found is None:
        draft.say(f"I couldn't find a conversation called “{runner.shorten(query, 40)}”.")
    _open(draft, content, found, at)


def _open(draft: Draft, content: Content, found: Dialogue | None, at: datetime) -> None:
    """Begin a dialogue in place of any open one; the menu when there is none to begin."""
    if found is None:
        draft.update(aside=MenuAside())
        asides.present(draft, content, MenuAside())
        return
    runner.close(draft, at, "stopped")
    runner.begin(draft, found, at)


def _stop(draft: Draft, content: Content, at: datetime) -> None:
    if draft.state.aside is not None:
        draft.update(aside=None, awaiting=None)
        if draft.state.dialogue is None:
            draft.say(texts.NOT_NOW)
            return
    closed = runner.close(draft, at, "stopped")
    draft.update(awaiting=None)
    if closed is None:
        draft.say(texts.NOTHING_TO_STOP)
    else:
        draft.say(texts.STOPPED.format(title=runner.title_of(content, closed)))


def _nudge_now(draft: Draft, content: Content, at: datetime) -> None:
    progress = draft.state.dialogue
    if progress is not None:
        draft.say(texts.FINISH_FIRST.format(title=runner.title_of(content, progress.dialogue)))
        asides.resume(draft, content)
        return
    draft.update(aside=None)
    nudging.deliver(draft, content, draft.next_id("now-"), draft.state.profile.themes, at)


def _quiet_hours(draft: Draft, command: QuietHours) -> None:
    current = draft.state.profile.quiet_hours
    if command.show:
        draft.say(
            texts.QUIET_IS.format(start=current[0], end=current[1])
            if current
            else texts.QUIET_NONE
        )
        return
    draft.update_profile(quiet_hours=command.hours)
    draft.effect(PreferencesChanged())
    if command.hours is None:
        draft.say(texts.QUIET_OFF)
    else:
        draft.say(texts.QUIET_SET.format(start=command.hours[0], end=command.hours[1]))
