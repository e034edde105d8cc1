"""The question on top of the conversation (menu, suggestion, nudge, confirmation...):
each kind knows how to ask again, take a button and take typed text."""

from dataclasses import replace
from datetime import datetime

from dialogs import (
    followups,
    language,
    nudging,
    onboarding,
    peer_commitment,
    routing,
    runner,
    signposting,
    texts,
    tiredness,
)
from dialogs.content_model import Content, Dialogue, Theme
from dialogs.draft import Draft
from dialogs.matching import agrees, match_choice, normalise, normalised_phrase
from dialogs.model import (
    Aside,
    Choice,
    FollowUpAside,
    ForgetAside,
    ForgetConfirmed,
    MenuAside,
    NudgeAside,
    OnboardingAside,
    PeerCommitAside,
    ReflectAside,
    SafetyAside,
    ServiceAnswered,
    ServiceAside,
    SuggestAside,
)

CARRY_ON = "carry_on"
ALL = "all"  # from one theme's menu to every conversation


def present(draft: Draft, content: Content, aside: Aside) -> None:
    """Ask the aside's question (again)."""
    match aside:
        case OnboardingAside():
            onboarding.present(draft, content, aside)
        case MenuAside():
            _menu(draft, content, aside)
        case SuggestAside(stage="how_long"):
            choices = tuple(Choice(*c) for c in texts.HOW_LONG_CHOICES)
            draft.ask(texts.HOW_LONG, choices, topic="suggest#how-long")
        case SuggestAside(dialogue=dialogue_id):
            dialogue = content.dialogue(dialogue_id)
            if dialogue is None:
                draft.update(aside=None, awaiting=None)
                return
            draft.ask(
                texts.SUGGEST.format(
                    title=dialogue.title, minutes=dialogue.minutes, summary=dialogue.summary
                ),
                tuple(Choice(*c) for c in texts.SUGGEST_CHOICES),
                topic=f"suggest#{dialogue.id}",
            )
        case NudgeAside():
            nudging.present(draft, content, aside)
        case ReflectAside() | PeerCommitAside():
            _prompt(draft, aside)
        case FollowUpAside():
            followups.present(draft, content.commitments, aside)
        case ForgetAside():
            draft.ask(
                texts.FORGET_ASK, tuple(Choice(*c) for c in texts.FORGET_CHOICES), topic="forget"
            )
        case ServiceAside(token=token, text=text, choices=choices, topic=topic):
            draft.ask(text, choices, token, topic=topic)
        case SafetyAside():
            signposting.present(draft, content, aside)


def _prompt(draft: Draft, aside: ReflectAside | PeerCommitAside) -> None:
    """The free-text asides: a one-line reflection, or what a leader will try after meeting
    their peers."""
    if isinstance(aside, PeerCommitAside):
        peer_commitment.present(draft, aside)
    else:
        draft.prompt(texts.REFLECT_PROMPT, texts.REFLECT_PLACEHOLDER)


def choose(draft: Draft, content: Content, aside: Aside, choice: str, at: datetime) -> None:
    """A button of the aside was pressed (or its label typed)."""
    match aside:
        case OnboardingAside():
            onboarding.choose(draft, content, aside, choice)
        case MenuAside():
            _menu_choice(draft, content, choice, at)
        case SuggestAside(stage="how_long"):
            answer_how_long(draft, content, aside, choice)
        case SuggestAside(dialogue=dialogue_id):
            _suggest_choice(draft, content, content.dialogue(dialogue_id), choice, at)
        case NudgeAside():
            nudging.choose(draft, content, aside, choice, at)
        case FollowUpAside():
            followups.choose(draft, content.commitments, aside, choice, at)
        case ForgetAside():
            _forget_choice(draft, choice)
        case SafetyAside():
            signposting.choose(draft, content, choice, at)
        case ServiceAside(token=token):
            draft.update(aside=None, awaiting=None)
            draft.effect(ServiceAnswered(token, choice))
            peer_commitment.after_check_in(draft, content, token, choice, at)
        case ReflectAside():
            pass  # a free-text aside has no buttons


def text(draft: Draft, content: Content, aside: Aside, said: str, at: datetime) -> None:
    """Typed text that matched none of the aside's buttons."""
    match aside:
        case SuggestAside(stage="how_long"):
            answer_how_long(draft, content, aside, tiredness.how_long(said))
        case OnboardingAside():
            onboarding.text(draft, content, aside, said)
        case NudgeAside(stage="offer") | ReflectAside():
            nudging.reflect(draft, content, aside.delivery, said, at)
        case FollowUpAside():
            followups.text(draft, content.commitments, aside, said, at)
        case PeerCommitAside():
            peer_commitment.answer(draft, aside, said, at)

        case MenuAside():
            _menu_text(draft, content, aside, said, at)
        case SafetyAside():  # the buttons again, not the contacts once more
            signposting.text(draft, content, aside, said, at)
        case _:
            again(draft, content, aside)


def again(draft: Draft, content: Content, aside: Aside, line: str = texts.DIDNT_CATCH) -> None:
    """The aside's question again under `line`, which is said only if options follow."""
    mark = len(draft.messages)
    present(draft, content, aside)
    draft.lead_options(line, mark)


def _menu_text(draft: Draft, content: Content, aside: MenuAside, said: str, at: datetime) -> None:
    """Typed at the menu: the conversation it names, or the menu again with a short line."""
    found = find_in_menu(draft, content, said, aside.theme)
    if found is not None:
        runner.begin(draft, found, at)
        return
    draft.update(aside=replace(aside, missed=aside.missed + 1))
    if aside.missed == 0:
        again(draft, content, aside)
    else:  # one short line, not the same two lines again (review 4)
        _menu(draft, content, aside, lead=_again(aside.missed))


def _menu(draft: Draft, content: Content, aside: MenuAside, lead: str | None = None) -> None:
    """The menu of conversations (one theme's, with a way to all), under `lead` if given."""
    theme = content.theme(aside.theme) if aside.theme else None
    if theme is None:
        draft.ask(lead or texts.MENU, menu_choices(draft, content), topic="menu")
        return
    choices = (*menu_choices(draft, content, theme.id), Choice(ALL, texts.ALL_CONVERSATIONS))
    draft.ask(lead or texts.THEME_MENU.format(theme=theme.title), choices, topic="menu")


def theme_named(content: Content, said: str) -> Theme | None:
    """A theme named whole, by its title or its id ("start resilience", "start challenging
    behaviour"); not by number, which names a conversation of the menu."""
    wanted = normalise(said)
    for theme in content.themes:
        if wanted in (
            normalised_phrase(theme.title),
            normalised_phrase(theme.id.replace("-", " ")),
        ):
            return theme
    return None


def agreed(aside: Aside, said: str) -> str | None:
    """ "yes" for "ok", "sure", "go on"... at a suggestion ("Shall we?"), else None."""
    suggesting = isinstance(aside, SuggestAside) and aside.stage != "how_long"
    return "yes" if suggesting and agrees(said) else None


def wants_text(content: Content, aside: Aside, said: str) -> bool:
    """Typed text this aside reads itself before any button matching (a time like 8:30, or
    several themes at once)."""
    return isinstance(aside, OnboardingAside) and onboarding.wants_text(content, aside, said)


def menu_choices(draft: Draft, content: Content, theme: str | None = None) -> tuple[Choice, ...]:
    """Dialogues of the leader's themes first (or of `theme` only); 'carry on' first when one
    is in progress."""
    chosen = draft.state.profile.themes
    ordered = sorted(
        (d for d in content.dialogues if theme is None or d.theme == theme),
        key=lambda d: (d.theme not in chosen, [t.id for t in content.themes].index(d.theme)),
    )
    choices = [Choice(d.id, d.title) for d in ordered]
    progress = draft.state.dialogue
    if progress is not None:
        title = runner.title_of(content, progress.dialogue)
        choices.insert(0, Choice(CARRY_ON, texts.CARRY_ON_LABEL.format(title=title)))
    return tuple(choices)


def resume(draft: Draft, content: Content, lead: str = texts.BACK_TO) -> None:
    """After an aside ends: ask the dialogue's current question again, if one is open."""
    progress = draft.state.dialogue
    dialogue = content.dialogue(progress.dialogue) if progress else None
    if dialogue is None:
        return
    draft.say(lead.format(title=dialogue.title))
    runner.present(draft, dialogue)


def _menu_choice(draft: Draft, content: Content, choice: str, at: datetime) -> None:
    draft.update(aside=None, awaiting=None)
    if choice == ALL:
        draft.update(aside=MenuAside())
        present(draft, content, MenuAside())
        return
    if choice == CARRY_ON:
        resume(draft, content)
        return
    dialogue = content.dialogue(choice)
    if dialogue is not None:
        runner.close(draft, at, "stopped")
        runner.begin(draft, dialogue, at)


def _suggest_choice(
    draft: Draft, content: Content, dialogue: Dialogue | None, choice: str, at: datetime
) -> None:
    draft.update(aside=None, awaiting=None)
    if choice == "yes" and dialogue is not None:
        runner.begin(draft, dialogue, at)
    elif choice == "menu":
        draft.update(aside=MenuAside())
        present(draft, content, MenuAside())
    else:
        draft.say(texts.NOT_NOW)


def how_long_first(draft: Draft, content: Content, said: str) -> bool:
    """Tiredness with a conversation for it: asked how long first, unless the words say
    ("knackered today"); True when so handled."""
    if not tiredness.tired(said) or language.not_english(said):
        return False
    suggestion = routing.suggest(said, content.dialogues)
    if suggestion is None:
        return False
    aside = SuggestAside(suggestion.id, stage="how_long")
    if (known := tiredness.said_how_long(said)) is not None:
        answer_how_long(draft, content, aside, known)
        return True
    draft.update(aside=aside)
    present(draft, content, aside)
    return True


def answer_how_long(draft: Draft, content: Content, aside: SuggestAside, choice: str) -> None:
    """Today, or built up for a while: a line that meets it, then the conversation offered."""
    draft.say(texts.JUST_TODAY if choice == "today" else texts.A_WHILE)
    offer = replace(aside, stage="offer")
    draft.update(aside=offer)
    present(draft, content, offer)


def _forget_choice(draft: Draft, choice: str) -> None:
    draft.update(aside=None, awaiting=None)
    if choice == "yes":
        draft.update(dialogue=None)  # nothing is left to go back to
        draft.effect(ForgetConfirmed())
        draft.say(texts.FORGOTTEN)
    else:
        draft.say(texts.FORGET_KEPT)


def find_in_menu(
    draft: Draft, content: Content, said: str, theme: str | None = None
) -> Dialogue | None:
    """A dialogue named in typed text: its menu number, its title, or words of its id."""
    listed = [c for c in menu_choices(draft, content, theme) if c.id != CARRY_ON]
    options = [(c.label, c.id, c.id.split(".", 1)[-1].replace("-", " ")) for c in listed]
    index = match_choice(said, options)
    return content.dialogue(listed[index].id) if index is not None else None


def _again(missed: int) -> str:
    return texts.DIDNT_CATCH_AGAIN[(missed - 1) % len(texts.DIDNT_CATCH_AGAIN)]
