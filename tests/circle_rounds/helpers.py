"""A circle to run rounds in: leaders stored with their profiles, a coach, a circle and
memberships written straight into the CircleStore (invitations are the circle commands'
part), and a way to put one circle backend under an app (built afresh after a restart)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.circles.backend import CircleBackend
from bot.circles.model import Circle, Format, Membership, MemberStatus
from bot.circles.store import CircleStore
from bot.domain import UserKey
from bot.wiring import App
from dialogs.model import Profile, UserState


@dataclass(frozen=True)
class Leader:
    user: str
    name: str
    organisation: str | None
    about: str | None = None
    timezone: str = "Europe/London"


async def store_leader(app: App, leader: Leader, at: datetime) -> None:
    profile = Profile(
        display_name=leader.name,
        timezone=leader.timezone,
        welcomed_at=at,
        onboarded=True,
        organisation=leader.organisation,
        organisation_key=leader.organisation.lower() if leader.organisation else None,
        about=leader.about,
    )
    await app.users.transact(
        UserKey.parse(leader.user), lambda _stored: (UserState(profile=profile), None)
    )


async def use_circles(app: App, backend: CircleBackend) -> CircleStore:
    """The app's circles in `backend` (memory, for tests that need no files)."""
    store = CircleStore(backend)
    await store.load()
    app.circles = store
    assert app.rounds is not None
    app.rounds.circles = store
    app.rounds.sender.circles = store
    return store


async def new_circle(
    store: CircleStore,
    coach: str,
    members: Sequence[str],
    at: datetime,
    *,
    circle_id: str = "c1",
    fmt: Format = "pairs",
    starts: date | None = None,
    declined: Sequence[str] = (),
) -> Circle:
    circle = Circle(
        id=circle_id,
        coach=coach,
        name="North peers",
        format=fmt,
        every_weeks=2,
        day=None,
        starts=starts or at.date(),
        status="active",
        created_at=at,
        updated_at=at,
    )
    await store.put_circle(circle)
    status: MemberStatus
    for user, status in [*((m, "joined") for m in members), *((d, "declined") for d in declined)]:
        await store.put_membership(Membership(circle.id, user, status, at, answered_at=at))
    return circle
