"""A person and a day typed at a choice question that asks who ("Who could you talk that
through with?": "lunch with Sam on Friday"): the first option that leads to a commitment
("Someone I trust") and, in the same turn, that commitment, rather than "Which of these comes
closest…" (review 12h, dialogues 6 and 8)."""

from datetime import datetime

from dialogs import commitment_step, runner
from dialogs.commitment_check import has_person, has_time, only_crowd
from dialogs.commitment_parts import asks_who
from dialogs.content_model import Content, Dialogue, Step
from dialogs.draft import Draft
from dialogs.timetext import local_date


def answer(draft: Draft, content: Content, dialogue: Dialogue, said: str, at: datetime) -> bool:
    """Take `said` as that option and as the commitment (True); False when it is not a
    person and a day at such a question, or it picks an option itself."""
    progress = draft.state.dialogue
    assert progress is not None
    step = dialogue.steps[progress.step]
    index = _person_option(dialogue, step)
    if index is None or runner.typed_choice(step, said) is not None:
        return False
    today = local_date(at, draft.state.profile.timezone)
    if not has_person(said) or only_crowd(said) or not has_time(said, today):
        return False
    runner.answer_choice(draft, dialogue, index, at, ask_next=False)  # `said` answers it
    now = draft.state.dialogue
    if now is not None and dialogue.steps[now.step].type == "commitment":
        commitment_step.answer(draft, content, dialogue, said, at)
    return True  # else the step was kept whole on the way, and what follows was asked


def _person_option(dialogue: Dialogue, step: Step) -> int | None:
    """At a choice asking who, the first option whose next step is a commitment."""
    if step.type != "choice" or not asks_who(step):
        return None
    return next(
        (i for i, c in enumerate(step.choices) if dialogue.steps[c.next].type == "commitment"),
        None,
    )
