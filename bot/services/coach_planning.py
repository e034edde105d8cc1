"""A coach's nudge plans: built and checked, previewed, saved and told to each leader;
the Slack and Teams forms fill the same plans. Split from coaching.py by job."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.coaching.access import Action, Denied, check
from bot.domain import Notice, ServiceReply, UserKey
from bot.logs import log
from bot.schedules.model import NudgeSchedule
from bot.services.coach_core import CoachingCore, logger, say
from bot.services.coach_plans import preview
from dialogs.model import Choice, Say, ServiceQuestion
from dialogs.recurrence import RuleError, next_occurrence, parse_days, parse_hhmm
from dialogs.timetext import short_date
from dialogs.timezones import zone


@dataclass(frozen=True)
class PlanForm:
    """What a coach filled in on the Slack modal or the Teams card."""

    leader: str  # a user key, or "all"
    days: str
    time: str
    themes: tuple[str, ...] = ()


CONFIRM = (Choice("save", "Save"), Choice("cancel", "Cancel"))
KEEP = (Choice("keep", "Keep it"), Choice("pause", "Pause it"))


class CoachPlanning(CoachingCore):
    """Plans of nudges a coach sets for their leaders."""

    async def plan_for(
        self, key: UserKey, target: str, spec: Sequence[str], at: datetime
    ) -> tuple[NudgeSchedule, ...] | Denied:
        """Schedules for one leader or all of a coach's leaders, checked and built, not saved."""
        actor = str(key)
        if target.lower() == "all":
            leaders = [k.leader for k in self.store.links_of_coach(actor, "accepted")]
            if not leaders:
                return Denied("You have no leaders who have accepted you yet.")
        else:
            leader = self.resolve(key, target, among=self._linked(actor))
            if isinstance(leader, Denied):
                return leader
            leaders = [leader]
        built = []
        for leader in leaders:
            if denied := check(self.store, self.admins, actor, Action.SCHEDULE, leader):
                self._log_denied(key, Action.SCHEDULE)
                return denied
            if full := self._full(leader):
                return full
            try:
                built.append(
                    self.schedule_service.build(
                        UserKey.parse(leader),
                        list(spec),
                        timezone=await self._zone_of(leader),
                        created_by=actor,
                        origin="coach",
                        at=at,
                    )
                )
            except RuleError as error:
                return Denied(str(error).replace("`schedule ", "`coach schedule Alex "))
        return tuple(built)

    async def preview_question(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> ServiceReply:
        plan = await self.plans.add(str(key), schedules, at)
        names = {s.user: self.store.name_of(s.user) for s in schedules}
        text = (
            "**Before saving**, this is what would go out:\n"
            f"{preview(schedules, names, at, self.schedule_service.titles)}\nSave it?"
        )
        return ServiceReply(
            question=ServiceQuestion(text, CONFIRM, f"svc:plan:{plan.id}", at, topic="coach#plan")
        )

    async def save_plan(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> ServiceReply:
        for leader in dict.fromkeys(s.user for s in schedules):  # still theirs, with room?
            refused = check(self.store, self.admins, str(key), Action.SCHEDULE, leader)
            refused = refused or self._full(leader, sum(s.user == leader for s in schedules))
            if refused:
                return say(f"Nothing was saved. {refused.reason}")
        await self.schedules.put_schedules(*schedules)
        log(logger, "coach.scheduled", coach=key.hashed, schedules=len(schedules))
        coach = self.store.name_of(str(key))
        titles = self.schedule_service.titles
        notices = tuple(
            Notice(
                UserKey.parse(s.user),
                ServiceQuestion(
                    f"Your coach {coach} set up nudges for you: {s.describe(titles)}. First one: "
                    f"{_first(s, at)}. Keep it, or pause it?",
                    KEEP,
                    f"svc:keep:{s.id}",
                    at,
                    topic="coach#schedule",
                ),
            )
            for s in schedules
        )
        plural = "s" if len(schedules) != 1 else ""
        return ServiceReply(
            (
                Say(
                    f"Saved {len(schedules)} schedule{plural}. Each leader has "
                    "been told and can pause it."
                ),
            ),
            notices=notices,
        )

    # ---------------------------------------------------------------- forms (Slack, Teams)

    def form_leaders(self, key: UserKey) -> list[tuple[str, str]]:
        """(value, label) of the leaders a coach may schedule for, plus "all" first."""
        links = self.store.links_of_coach(str(key), "accepted")
        return [("all", "All my leaders")] + [
            (k.leader, self.store.name_of(k.leader)) for k in links
        ]

    async def form_plan(
        self, key: UserKey, form: PlanForm, at: datetime
    ) -> tuple[NudgeSchedule, ...] | dict[str, str]:
        """The schedules a form describes, or one message per field that is wrong."""
        errors: dict[str, str] = {}
        if not form.leader:
            errors["leader"] = "Choose a leader, or all of them."
        for name, parse in (("days", parse_days), ("time", parse_hhmm)):
            try:
                parse(getattr(form, name))
            except RuleError as error:
                errors[name] = error.reason
        if errors:
            return errors
        planned = await self.plan_for(key, form.leader, [form.days, form.time, *form.themes], at)
        if isinstance(planned, Denied):
            return {"leader": planned.reason}
        return planned

    async def hold_plan(
        self, key: UserKey, schedules: tuple[NudgeSchedule, ...], at: datetime
    ) -> tuple[str, str]:
        """Keep a plan for the coach to confirm; returns its id and the preview text."""
        plan = await self.plans.add(str(key), schedules, at)
        names = {s.user: self.store.name_of(s.user) for s in schedules}
        return plan.id, preview(schedules, names, at, self.schedule_service.titles)

    async def save_held(self, key: UserKey, plan_id: str, at: datetime) -> ServiceReply:
        plan = await self.plans.take(plan_id, str(key), at)
        if plan is None:
            return say("That preview has expired; open the form again.")
        return await self.save_plan(key, plan.schedules, at)


def _first(schedule: NudgeSchedule, at: datetime) -> str:
    due = next_occurrence(schedule.rule, at)
    if due is None:
        return "none within a year"
    local = due.astimezone(zone(schedule.timezone))
    return f"{short_date(local.date())} at {local:%H:%M}"
