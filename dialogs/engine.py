"""The engine: one pure function from (state, event, content) to (new state, messages).

No I/O and no clock: time arrives in `event.at`. Every input gets an answer; nothing the
leader types raises an exception.
"""

from datetime import UTC, datetime

from dialogs import (
    asides,
    commitment_step,
    due,
    first_contact,
    followups,
    heard,
    language,
    late_day,
    nudging,
    onboarding,
    peer_commitment,
    routing,
    runner,
    signposting,
    small_talk,
    texts,
    who_choice,
)
from dialogs.command_handling import accepts_command, return_to_question, run, run_passive
from dialogs.commands import SERVICE_COMMANDS, Command, CommandError, ServiceCommand, parse_command
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.matching import match_choice
from dialogs.model import (
    DEFAULT_WEEK,
    AppInstalled,
    Aside,
    Choice,
    ChoiceMade,
    CommandGiven,
    Event,
    FollowUpAside,
    FollowUpDue,
    NudgeAside,
    NudgeDue,
    OnboardingAside,
    PeerCommitAsked,
    ServiceAnswered,
    ServiceAside,
    ServiceNotice,
    ServiceQuestion,
    SessionOpened,
    SnoozeEnded,
    SuggestAside,
    Turn,
    UserState,
    UserText,
    WorkingWeek,
)
from dialogs.screening import distress, holds_nhs_number, printable

MAX_TEXT = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def step(
    state: UserState, event: Event, content: Content, week: WorkingWeek = DEFAULT_WEEK
) -> Turn:
    """Advance one leader's conversation by one event; `week` is what the services know of
    the leader's working days (their schedules), for the check-ins planned in this turn."""
    draft = Draft(state, event.at, week)
    match event:
        case UserText(text=text, at=at):
            _on_text(draft, content, printable(text), at)
        case CommandGiven(text=text, at=at):
            _on_command_text(draft, content, printable(text), at)
        case ChoiceMade(token=token, choice=choice, at=at):
            _on_choice(draft, content, token, choice, at)
        case SessionOpened(at=at):
            _on_session(draft, content, at)
        case AppInstalled(at=at):
            if draft.state.profile.welcomed_at is None:
                _first_contact(draft, content, at, command=None)
        case ServiceQuestion() | ServiceNotice() | PeerCommitAsked():
            _from_service(draft, content, event)
        case NudgeDue() | SnoozeEnded() | FollowUpDue():
            due.arrived(draft, content, event)
    if isinstance(event, UserText | CommandGiven | ChoiceMade | SessionOpened):
        draft.update(last_seen_at=event.at)
    return draft.finish()


def _from_service(
    draft: Draft, content: Content, event: ServiceQuestion | ServiceNotice | PeerCommitAsked
) -> None:
    """Another service asks or tells the leader something."""
    match event:
        case ServiceQuestion(text=text, choices=choices, token=token, topic=topic):
            aside = ServiceAside(token, text, choices, topic)
            if draft.state.dialogue is None or isinstance(draft.state.aside, ServiceAside):
                draft.update(aside=aside)
                asides.present(draft, content, aside)
            else:  # a dialogue is open: ask, and let its answers keep going to the dialogue
                awaiting = draft.state.awaiting
                draft.ask(text, choices, token, topic=topic)
                draft.update(awaiting=awaiting)
        case ServiceNotice(text=text):
            draft.say(text)
        case PeerCommitAsked():
            peer_commitment.ask(draft, event)


def _on_text(draft: Draft, content: Content, text: str, at: datetime) -> None:
    said = text.strip()
    if _refused(draft, content, said, at):
        return
    _expire(draft, content, at)
    if signposting.typed_choice(draft, content, said, at):  # "pause" here is for a week
        _after_aside(draft, content)
        return
    parsed = parse_command(said)
    if _first_contact(draft, content, at, command=parsed, said=said):
        return
    if parsed is not None and accepts_command(draft, parsed):
        run(draft, content, parsed, at)
        return
    if late_day.attach(draft, content, said, at):  # "next week", just after a note
        return
    if draft.state.aside is not None:
        _aside_text(draft, content, said, at)
        return
    progress = draft.state.dialogue
    dialogue = content.dialogue(progress.dialogue) if progress else None
    if dialogue is not None:
        if runner.number_typed(draft, dialogue, said):
            return
        if runner.current_type(draft, dialogue) == "commitment":
            commitment_step.answer(draft, content, dialogue, said, at)
        elif not who_choice.answer(draft, content, dialogue, said, at):
            runner.answer_text(draft, dialogue, said, at)
        first_contact.setup_when_done(draft, content)
        return
    _free_text(draft, content, said)


def _aside_text(draft: Draft, content: Content, said: str, at: datetime) -> None:
    """Typed while an aside (a menu, a suggestion, a check-in) waits: a choice, or its text."""
    aside = draft.state.aside
    assert aside is not None
    awaiting = draft.state.awaiting
    picked = None
    if awaiting is not None and not asides.wants_text(content, aside, said):
        picked = asides.agreed(aside, said) or _typed_choice(said, awaiting.choices)
    if picked is not None:
        asides.choose(draft, content, aside, picked, at)
    elif _set_up_offer_aside(draft, content, aside, said):
        return
    else:
        asides.text(draft, content, aside, said, at)
    _after_aside(draft, content, setup=not isinstance(aside, (FollowUpAside, SuggestAside)))


def _set_up_offer_aside(draft: Draft, content: Content, aside: Aside, said: str) -> bool:
    """At the set-up offer, words that are not one of its buttons are never captured by it
    (review 12h: "I feel stuck", "next week" after a dialogue got "Which of these comes
    closest...", over the set-up buttons): they are read as they would be with no offer on
    screen, and the offer stays answerable. A bare number is a miss at its buttons."""
    if not (isinstance(aside, OnboardingAside) and aside.stage == "setup"):
        return False
    if said.strip(" .").isdigit():
        return False
    _free_text(draft, content, said)  # a suggestion made there takes the offer's place
    return True


def _free_text(draft: Draft, content: Content, said: str) -> None:
    """Outside any conversation: the most relevant one suggested, or help."""
    if asides.how_long_first(draft, content, said):  # tired: one question first (review 12g)
        return
    if (answer := small_talk.reply(said)) is not None:
        draft.say(answer)
        return
    if language.not_english(said):
        draft.say(texts.ENGLISH_ONLY)
        return
    suggestion = routing.suggest(said, content.dialogues)
    if suggestion is None:
        draft.say(texts.UNSURE)
        return
    if (line := heard.acknowledgement(said, content.dialogues)) is not None:
        draft.say(line)
    draft.update(aside=SuggestAside(suggestion.id))
    asides.present(draft, content, SuggestAside(suggestion.id))


def _refused(draft: Draft, content: Content, said: str, at: datetime) -> bool:
    """Messages answered before anything else and never kept: empty, too long, holding an
    NHS number, or signalling distress (kept, it could be quoted back in a later question)."""
    if not said:
        draft.say(texts.EMPTY)
    elif len(said) > MAX_TEXT:
        draft.say(texts.TOO_LONG.format(length=len(said), limit=MAX_TEXT))
    elif holds_nhs_number(said):
        draft.say(texts.NHS_NUMBER)
    elif (found := distress(said, content.safety)) is not None:
        suggest = _suggestion_id(draft, content, said) if found.level == "concern" else None
        if signposting.signpost(draft, content, found.level, at, suggest):  # a one-line reminder
            return_to_question(draft, content)
    else:
        return False
    return True


def _suggestion_id(draft: Draft, content: Content, said: str) -> str | None:
    """Outside a conversation, the one `said` would be offered (kept as an id, not words)."""
    if draft.state.dialogue is not None or language.not_english(said):
        return None
    suggestion = routing.suggest(said, content.dialogues)
    return suggestion.id if suggestion else None


def _on_command_text(draft: Draft, content: Content, text: str, at: datetime) -> None:
    """A slash command or menu button: always a command, never an answer."""
    found = distress(text, content.safety)
    if found is not None:  # e.g. `/peercoach start i cant cope`: never echoed back
        if signposting.signpost(draft, content, found.level, at):
            return_to_question(draft, content)
        return
    parsed = parse_command(text)
    _expire(draft, content, at)
    if _first_contact(draft, content, at, command=parsed or CommandError("", "")):
        if parsed is None:
            draft.say(texts.HELP)
        return
    if parsed is None:
        word = text.split(maxsplit=1)[0] if text.split() else text
        draft.say(f"I don't know the command `{word[:40]}`. Type **help** to see them all.")
        return
    run(draft, content, parsed, at)


def _on_choice(draft: Draft, content: Content, token: str, choice: str, at: datetime) -> None:
    _expire(draft, content, at)
    if token.startswith("n:"):
        record = nudging.record_of(draft.state, token[2:])
        if record is not None and record.response is None:
            nudging.choose(draft, content, NudgeAside(record.delivery), choice, at)
            _after_aside(draft, content)
        return
    if token.startswith("svc:"):  # a service's question: still answerable after others
        draft.effect(ServiceAnswered(token, choice))
        aside = draft.state.aside
        if isinstance(aside, ServiceAside) and aside.token == token:
            draft.update(aside=None, awaiting=None)
            _after_aside(draft, content)
        peer_commitment.after_check_in(draft, content, token, choice, at)
        return
    if token.startswith("f:"):
        commitment = followups.find(draft, token[2:])
        if commitment is not None and commitment.status == "open" and commitment.followed_up_at:
            followups.choose(draft, content.commitments, FollowUpAside(commitment.id), choice, at)
            _after_aside(draft, content, setup=False)
        return
    awaiting = draft.state.awaiting
    if awaiting is None or token != awaiting.token:
        return  # a button of an earlier question: a second click does nothing
    if choice not in {c.id for c in awaiting.choices}:
        return
    if (aside := draft.state.aside) is not None:
        asides.choose(draft, content, aside, choice, at)
        _after_aside(draft, content, setup=not isinstance(aside, (FollowUpAside, SuggestAside)))
        return
    progress = draft.state.dialogue
    dialogue = content.dialogue(progress.dialogue) if progress else None
    if dialogue is not None and choice.isdigit():
        runner.answer_choice(draft, dialogue, int(choice), at)
        first_contact.setup_when_done(draft, content)


def _on_session(draft: Draft, content: Content, at: datetime) -> None:
    """Opening the app again: pick up where the leader left off."""
    if draft.state.profile.welcomed_at is None:
        return
    _expire(draft, content, at)
    aside = draft.state.aside
    if aside is not None:
        asides.present(draft, content, aside)
    elif draft.state.dialogue is not None:
        asides.resume(draft, content, lead=texts.WELCOME_BACK)


def _first_contact(
    draft: Draft,
    content: Content,
    at: datetime,
    command: Command | CommandError | None,
    said: str = "",
) -> bool:
    """Welcome and privacy line on the very first message, then what it asked for (see
    dialogs/first_contact.py); True when the message was handled so. A first message that
    already says what is wrong ("I'm exhausted") is answered at once, with the conversation
    it would get later; set-up is offered after that (review 12e)."""
    if draft.state.profile.welcomed_at is not None:
        return False
    onboarding.welcome(draft, content, at)
    waiting = isinstance(draft.state.aside, ServiceAside)  # a coach asked before they wrote
    match command:
        case None if not waiting and routing.suggest(said, content.dialogues) is not None:
            _free_text(draft, content, said)
            return True
        case None:
            pass
        case CommandError(reason=reason):
            if reason:
                draft.say(command.text)
        case _ if isinstance(command, SERVICE_COMMANDS):
            draft.say(texts.NOT_DONE_FIRST)  # a service carries these out; none did
        case _ if first_contact.opens_something(command):
            if waiting:
                draft.say(texts.NOT_DONE_WAITING)
            else:
                draft.update_profile(onboarded=True)  # `start` shows the menu: no set-up
                run(draft, content, command, at)
                return True
        case _:
            run_passive(draft, content, command, at)
    first_contact.offer_setup(draft, content)
    return True


def _after_aside(draft: Draft, content: Content, *, setup: bool = True) -> None:
    """When an aside ends without a new question, go back to the dialogue underneath — or,
    for a newcomer whose first question came from a service, on to set-up (never straight
    after a check-in on a commitment: review 12e, "choose your themes" out of nowhere; nor
    after "Not now" to a suggestion: review 12g, "I'm exhausted", "Not now", then set-up
    admin; it comes with their next message instead)."""
    aside = draft.state.aside
    if isinstance(aside, SuggestAside) and draft.state.awaiting is None:
        asides.present(draft, content, aside)  # e.g. after "Carry on" at a check-in
        return
    if aside is not None or draft.state.awaiting is not None:
        return
    profile = draft.state.profile
    if setup and draft.state.dialogue is None and profile.welcomed_at and not profile.onboarded:
        onboarding.begin(draft, content)
        return
    asides.resume(draft, content)


def _expire(draft: Draft, content: Content, at: datetime) -> None:
    """Close a dialogue idle for over a day, and drop a question left unanswered as long."""
    progress = draft.state.dialogue
    if progress is not None and runner.is_idle(progress, at):
        closed = runner.close(draft, at, "expired")
        draft.say(texts.EXPIRED.format(title=runner.title_of(content, closed)))
        draft.update(aside=None, awaiting=None)
    awaiting = draft.state.awaiting
    if awaiting and awaiting.asked_at and at - awaiting.asked_at > runner.IDLE_LIMIT:
        if draft.state.aside is not None:
            draft.update(aside=None)
        if draft.state.dialogue is None:
            draft.update(awaiting=None)


def _typed_choice(said: str, choices: tuple[Choice, ...]) -> str | None:
    index = match_choice(said, [(c.label, c.id) for c in choices])
    return choices[index].id if index is not None else None


def service_command(state: UserState, text: str, *, slash: bool = False) -> ServiceCommand | None:
    """The command a service should answer for this text (e.g. `schedule`), if any.

    Applies the engine's own rules, so a word at a free-text question stays an answer and a
    new leader still gets the welcome first."""
    said = printable(text).strip()
    if state.profile.welcomed_at is None or not said or len(said) > MAX_TEXT:
        return None
    if holds_nhs_number(said):
        return None
    parsed = parse_command(said)
    if not isinstance(parsed, SERVICE_COMMANDS):
        return None
    if slash or accepts_command(Draft(state, state.last_seen_at or _EPOCH), parsed):
        return parsed
    return None


def answered(state: UserState, content: Content, at: datetime) -> Turn:
    """After a service answered a command: ask again whatever was being asked."""
    draft = Draft(state, at)
    _expire(draft, content, at)
    return_to_question(draft, content)
    draft.update(last_seen_at=at)
    return draft.finish()
