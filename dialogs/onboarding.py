"""First contact: welcome, privacy notice, focus themes, a preferred nudge time and, last
and skippable, the leader's organisation (for peer circles)."""

from dataclasses import replace
from datetime import datetime

from dialogs import peer_profile, texts
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.matching import match_choice, numbers_in, words
from dialogs.model import Choice, NudgeTimeChosen, OnboardingAside, PreferencesChanged
from dialogs.timetext import parse_clock
from dialogs.timezones import spoken_zone

MAX_THEMES = 3
REPEAT_SETUP = 1  # the set-up offer is asked again after a command this many times at most
SETUP_CHOICES = (Choice("setup", "Set up now"), Choice("skip", "Skip for now"))
ENOUGH = Choice("done", "That's enough")
MORE = Choice("more", "More themes")
# On a phone screen: at most six choices, the rest behind "More themes" (review 12f: a
# 14-item list, then the same again with "That's enough" at the bottom).
ON_SCREEN = 6
NO_NUDGES = "none"
TIME_CHOICES = (
    Choice("08:00", "08:00"),
    Choice("12:30", "12:30"),
    Choice("17:00", "17:00"),
    Choice(NO_NUDGES, "No nudges for now"),
)
SKIPPING = ("1", "skip", "skip it", "no", "no thanks", "pass", "not now", "none", "rather not")
BAD_TIME = (
    "I couldn't read that as a time of day. Pick a button or type a time. For example: `08:30`"
)


def welcome(draft: Draft, content: Content, at: datetime) -> None:
    """Greet a new leader, once: two lines, and one on privacy pointing at the whole notice
    (`privacy`), so a leader is told what is kept without a wall of text first."""
    draft.say(content.onboarding.welcome)
    draft.say(content.onboarding.privacy_line)
    draft.update_profile(welcomed_at=at)


def begin(draft: Draft, content: Content) -> None:
    draft.update(aside=OnboardingAside("setup"))
    present(draft, content, OnboardingAside("setup"))


def again(draft: Draft, content: Content, aside: OnboardingAside) -> None:
    """After a command: the set-up offer asked again once, then left answerable but not
    repeated (review 12f: a coach typing `coach add`, `coach leaders`, `coach dashboard` got
    it after each); a set-up already under way asks its question again."""
    if aside.stage != "setup":
        present(draft, content, aside)
        return
    if aside.repeated >= REPEAT_SETUP:
        return  # its buttons are still the question on screen
    repeated = replace(aside, repeated=aside.repeated + 1)
    draft.update(aside=repeated)
    present(draft, content, repeated)


def present(draft: Draft, content: Content, aside: OnboardingAside) -> None:
    copy = content.onboarding
    topic = f"onboarding#{aside.stage}"
    if aside.stage == "setup":
        draft.ask(copy.setup_question, SETUP_CHOICES, topic=topic)
    elif aside.stage == "themes":
        draft.ask(copy.themes_question, _screen(content, aside), topic=topic)
    elif aside.stage == "more_themes":
        draft.ask(copy.more_themes_question, _screen(content, aside), topic=topic)
    elif aside.stage == "organisation":
        if draft.state.profile.organisation:  # given meanwhile, e.g. by `organisation LTHT`
            draft.update(aside=None, awaiting=None)
            return
        skip = Choice("skip", content.profile.get("organisation_skip"))
        draft.ask(content.profile.get("organisation_question"), (skip,), topic=topic)
    else:
        draft.ask(copy.time_question, TIME_CHOICES, topic=topic)


def choose(draft: Draft, content: Content, aside: OnboardingAside, choice: str) -> None:
    if aside.stage == "setup":
        if choice == "skip":
            _finish(draft, content, aside.themes, None, skipped=True)
        else:
            _go(draft, content, OnboardingAside("themes"))
    elif aside.stage in ("themes", "more_themes") and choice == MORE.id:
        _go(draft, content, replace(aside, more=True))
    elif aside.stage in ("themes", "more_themes"):
        picked = aside.themes if choice == ENOUGH.id else (*aside.themes, choice)
        _after_themes(draft, content, picked, done=choice == ENOUGH.id)
    elif aside.stage == "organisation":
        draft.update(aside=None, awaiting=None)
        draft.say(content.profile.get("organisation_skipped"))
    else:
        _finish(draft, content, aside.themes, None if choice == NO_NUDGES else choice)


def wants_text(content: Content, aside: OnboardingAside, said: str) -> bool:
    """What the set-up reads itself before matching one button: a time at the time question,
    or, at the theme questions, several themes ("influence and resilience" is two themes, not
    a loose match for one button) or a time (the leader has chosen enough and moved on)."""
    if aside.stage == "time":
        return parse_clock(said) is not None
    if aside.stage == "organisation":
        return True  # a name, however close to "Skip" it is spelt
    if aside.stage in ("themes", "more_themes"):
        return len(_typed_themes(content, aside, said)) > 1 or (
            aside.stage == "more_themes" and parse_clock(said) is not None
        )
    return False


def text(draft: Draft, content: Content, aside: OnboardingAside, said: str) -> None:
    """Typed answers: several themes at once (numbers or names), a time such as 7:45, or
    the organisation."""
    if aside.stage == "organisation":
        _organisation(draft, content, aside, said)
        return
    if aside.stage in ("themes", "more_themes"):
        picked = _typed_themes(content, aside, said)
        if picked:
            _after_themes(draft, content, (*aside.themes, *picked), done=len(picked) > 1)
            return
        clock = parse_clock(said) if aside.stage == "more_themes" else None
        if clock is not None:  # "08:30" when asked for another theme: enough themes, then
            _finish(draft, content, aside.themes, clock)
            return
    elif aside.stage == "time":
        clock = parse_clock(said)
        if clock is not None:
            _finish(draft, content, aside.themes, clock)
            return
        draft.say(BAD_TIME)
        present(draft, content, aside)
        return
    mark = len(draft.messages)
    present(draft, content, aside)
    draft.lead_options(texts.DIDNT_CATCH, mark)


def _typed_themes(content: Content, aside: OnboardingAside, said: str) -> list[str]:
    """Themes typed by their numbers on screen ("1, 3") or by name (any theme, shown or not)."""
    offered = _screen(content, aside)
    many = numbers_in(said, len(offered))
    if many is None:  # once each: "Resilience and energy" is one theme, not two
        return list(dict.fromkeys(_themes_named(said, content)))
    return [offered[n - 1].id for n in many if offered[n - 1] not in (ENOUGH, MORE)]


def _screen(content: Content, aside: OnboardingAside) -> tuple[Choice, ...]:
    """The choices on screen: at the follow-up, "That's enough" first; the themes not yet
    chosen, as many as fit in ON_SCREEN with "More themes" for the rest, or all of them
    once that is pressed."""
    follow_up = aside.stage == "more_themes"
    themes = _theme_choices(content, aside.themes if follow_up else ())
    room = ON_SCREEN - 1 if follow_up else ON_SCREEN
    if not aside.more and len(themes) > room:
        themes = (*themes[: room - 1], MORE)
    return (ENOUGH, *themes) if follow_up else themes


def _after_themes(draft: Draft, content: Content, themes: tuple[str, ...], *, done: bool) -> None:
    themes = tuple(dict.fromkeys(themes))[:MAX_THEMES]
    remaining = len(content.themes) - len(themes)
    if done or len(themes) >= MAX_THEMES or remaining == 0:
        _go(draft, content, OnboardingAside("time", themes))
    else:
        _go(draft, content, OnboardingAside("more_themes", themes))


def _go(draft: Draft, content: Content, aside: OnboardingAside) -> None:
    draft.update(aside=aside)
    present(draft, content, aside)


def _finish(
    draft: Draft,
    content: Content,
    themes: tuple[str, ...],
    clock: str | None,
    *,
    skipped: bool = False,
) -> None:
    draft.update(aside=None, awaiting=None)
    draft.update_profile(onboarded=True, themes=themes, nudge_time=clock)
    copy = content.onboarding
    if skipped:
        draft.say(copy.skipped)
        return
    titles = ", ".join(t.title for t in content.themes if t.id in themes) or "a mix of everything"
    if clock is None:
        draft.say(copy.done_no_nudges.format(themes=titles))
    else:
        zone = spoken_zone(draft.state.profile.timezone)
        draft.say(copy.done.format(themes=titles, time=clock, timezone=zone))
        if draft.state.profile.timezone_source in ("default", "machine"):  # nobody told us
            draft.say(copy.zone_guessed)
        draft.effect(NudgeTimeChosen(clock, themes))
    draft.effect(PreferencesChanged())
    _go(draft, content, OnboardingAside("organisation", themes))  # saved already: skippable


def _organisation(draft: Draft, content: Content, aside: OnboardingAside, said: str) -> None:
    if " ".join(said.lower().strip(" .!").split()) in SKIPPING:
        choose(draft, content, aside, "skip")
    elif peer_profile.save_organisation(draft, content, said):
        draft.update(aside=None, awaiting=None)
    else:
        present(draft, content, aside)


def _theme_choices(content: Content, taken: tuple[str, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(t.id, t.title) for t in content.themes if t.id not in taken)


def _themes_named(said: str, content: Content) -> list[str]:
    """Themes named in free text, e.g. 'influence and resilience'."""
    parts = [p for p in said.replace(" and ", ",").split(",") if p.strip()]
    options = [(t.title, t.id, t.id.replace("-", " ")) for t in content.themes]
    found = [match_choice(part, options) for part in parts]
    if parts and all(i is not None for i in found):
        return [content.themes[i].id for i in found if i is not None]
    said_words = set(words(said))
    return [t.id for t in content.themes if t.id in said_words]
