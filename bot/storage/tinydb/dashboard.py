"""DashboardStore in one small TinyDB file, `dashboard.json` (one process serves TinyDB)."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pydantic import TypeAdapter
from tinydb import Query, TinyDB

from bot.dashboard.model import Session, SignInToken
from bot.storage.tinydb.shared_file import SharedFile, upsert

_TOKEN = TypeAdapter(SignInToken)
_SESSION = TypeAdapter(Session)
_VISITS = "visits"


class TinyDBDashboardStore:
    def __init__(self, data_dir: Path) -> None:
        self.file = SharedFile(data_dir / "dashboard.json")

    async def put_token(self, token: SignInToken) -> None:
        await self.file.write(lambda db: upsert(db, "tokens", (token,), _TOKEN, key="digest"))

    async def token(self, digest: str) -> SignInToken | None:
        found = await self.file.read("tokens", _TOKEN)
        return next((t for t in found if t.digest == digest), None)

    async def spend_token(self, digest: str, at: datetime) -> SignInToken | None:
        spent: list[SignInToken] = []

        def spend(db: TinyDB) -> None:  # read and mark under the file's one-change lock
            row = db.table("tokens").get(Query().digest == digest)
            if not isinstance(row, dict):
                return
            found = _TOKEN.validate_python(row)
            if found.used_at is None and found.expires_at > at:
                spent.append(replace(found, used_at=at))
                upsert(db, "tokens", spent, _TOKEN, key="digest")

        await self.file.write(spend)
        return spent[0] if spent else None

    async def put_session(self, session: Session) -> None:
        await self.file.write(
            lambda db: upsert(db, "sessions", (session,), _SESSION, key="digest")
        )

    async def session(self, digest: str) -> Session | None:
        found = await self.file.read("sessions", _SESSION)
        return next((s for s in found if s.digest == digest), None)

    async def end_session(self, digest: str, at: datetime) -> None:
        found = await self.session(digest)
        if found is not None and found.ended_at is None:
            await self.put_session(replace(found, ended_at=at))

    async def opened(self, coach: str, at: datetime) -> None:
        def note(db: TinyDB) -> None:
            visits = db.table(_VISITS)
            row = visits.get(Query().coach == coach)
            if isinstance(row, dict) and datetime.fromisoformat(row["at"]) >= at:
                return
            visits.upsert({"coach": coach, "at": at.isoformat()}, Query().coach == coach)

        await self.file.write(note)

    async def last_opened(self, coaches: Iterable[str]) -> dict[str, datetime]:
        wanted = set(coaches)
        rows = await self.file.read(_VISITS, TypeAdapter(dict[str, str]))
        return {r["coach"]: datetime.fromisoformat(r["at"]) for r in rows if r["coach"] in wanted}

    async def forget(self, coach: str) -> None:
        def drop(db: TinyDB) -> None:
            for table in ("tokens", "sessions", _VISITS):
                db.table(table).remove(Query().coach == coach)

        await self.file.write(drop)

    async def purge(self, before: datetime) -> None:
        def drop(db: TinyDB) -> None:
            for table in ("tokens", "sessions"):
                db.table(table).remove(
                    Query().expires_at.test(lambda v: datetime.fromisoformat(v) < before)
                )

        await self.file.write(drop)
