"""PostgreSQL UserStore: one sealed row per leader, their channel data sealed beside it.

A row names its leader by `UserKey.hashed` only, and holds what a TinyDB file holds: the
state's sections as JSON (bot.storage.codec), sealed by the same Sealer, bound by its label to
that leader (and, for channel data, to its name), so a row copied onto another leader's does
not open. Leaders' words are encrypted at rest here as in every store.

A turn (`transact`) reads the row, decides, and writes it back only if its version is still
the one read (`UPDATE … WHERE version = $read`, or for a leader not stored yet an `INSERT …
ON CONFLICT DO NOTHING` under the advisory lock below): two round trips and one commit, where
a locked transaction takes four to six. When another instance wrote in between, nothing is
written and the turn is decided again on what is stored now (`decide` is pure); after
OPTIMISTIC such tries it takes the locks, which always wins.

Every other write holds its leader's lock from the read to the commit: the row's lock
(`SELECT … FOR UPDATE`) when the leader is stored, and for one not stored yet a
transaction-scoped advisory lock on the hashed key, which every writer takes before it
inserts. Two instances with events for one leader therefore take turns, and both changes are
kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from typing import Any

from bot.domain import UserKey
from bot.errors import StaleStateError
from bot.ports import Change, EventClaim, SeenEventStore, StoredLeader
from bot.storage.atomic import encode_json
from bot.storage.codec import migrate
from bot.storage.cohort import CohortCounts
from bot.storage.postgres import cohorts
from bot.storage.postgres import users_sql as sql
from bot.storage.postgres.claims import Taking, repeat_is_handled
from bot.storage.postgres.claims import write_if as _write_if
from bot.storage.postgres.glances import opened_glances
from bot.storage.postgres.leader_rows import CorruptRowError, extra_label, open_extra, state_of
from bot.storage.postgres.row_access import LeaderRowAccess
from bot.storage.postgres.seen import PostgresSeenEvents
from dialogs.model import UserState
from dialogs.records import evolve


class PostgresUserStore(LeaderRowAccess):
    """UserStore (and LeaderArchive) over the `leaders` and `leader_extras` tables."""

    def close(self) -> None:
        """As TinyDBUserStore.close(): nothing of its own to close; the pool is the
        application's, closed once after every store that uses it."""

    async def load(self, key: UserKey) -> UserState | None:
        async with self.guard.connection() as connection:
            record = await connection.fetchrow(sql.SELECT, key.hashed)
        return state_of(key, self._row(key, record))

    def folds(self, seen: SeenEventStore) -> bool:
        """Event ids in this database's `slack_events` are taken in the turn's own write."""
        return isinstance(seen, PostgresSeenEvents) and seen.guard.pool is self.pool

    async def load_sections(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """Several leaders' stored sections (migrated, not validated into UserState), by
        hashed key, in one query: the dashboard counts from them."""
        by_hash = {key.hashed: key for key in keys}
        async with self.guard.connection() as connection:
            records = await connection.fetch(sql.SELECT_MANY, list(by_hash))
        found = {}
        for record in records:
            row = self._row(by_hash[record["leader"]], record)
            if row is not None and "state" in row.sections:
                found[record["leader"]] = migrate(row.sections)
        return found

    async def versions(self, keys: Sequence[UserKey]) -> dict[str, int] | None:
        """Each stored leader's state version by hashed key, without opening the states."""
        async with self.guard.connection() as connection:
            records = await connection.fetch(sql.VERSIONS, [key.hashed for key in keys])
        return {r["leader"]: r["version"] for r in records}

    async def glances(self, keys: Sequence[UserKey]) -> dict[str, dict[str, Any]]:
        """The glances beside these leaders' states, by hashed key (see opened_glances)."""
        async with self.guard.connection() as connection:
            records = await connection.fetch(sql.GLANCES, [key.hashed for key in keys])
        return opened_glances(self.sealer, records)

    async def cohort_counts(
        self, coach: str, keys: Sequence[UserKey], zone: str, starts: tuple[date, ...]
    ) -> CohortCounts | None:
        """The coach's cohort totals, counting exactly `keys` (see cohorts.read)."""
        return await cohorts.read(self, coach, keys, zone, starts)

    async def transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        *,
        claim: EventClaim | None = None,
    ) -> tuple[UserState | None, T]:
        """A leader this store has not seen stored is first tried without the read (one
        statement for a first message); then by version check, then under the locks. With
        `claim` (of `folds`' store), its id is taken in the same statement as the write."""
        taking = self._taking(claim)
        with repeat_is_handled():
            if self._known is not None and key.hashed not in self._known:
                done = await self._try_new(key, decide, taking)
                if done is not None:
                    return done
            for _ in range(sql.OPTIMISTIC):
                done = await self._try_transact(key, decide, taking)
                if done is not None:
                    return done
            return await self._locked_transact(key, decide, taking)

    def _taking(self, claim: EventClaim | None) -> Taking | None:
        if claim is None:
            return None
        if not isinstance(claim.seen, PostgresSeenEvents) or not self.folds(claim.seen):
            raise ValueError("this store takes only the event ids of its own database")
        return Taking(claim.event_id, claim.seen.clock.now(), claim.seen)

    async def _try_new[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        taking: Taking | None,
    ) -> tuple[UserState | None, T] | None:
        """The turn decided on no stored state and inserted only if there is still no row.
        None if there was one after all (stored by another instance since stored_hashes()),
        or if the turn would not insert: then it runs as any other, from a read."""
        change, result = decide(None)
        if change in ("keep", "delete"):
            return None
        assert not isinstance(change, str)
        saved = evolve(change, version=1)
        new = self._seal_state(key, saved)
        async with self.guard.connection() as connection:
            written = await _write_if(
                connection,
                sql.INSERT_IF,
                sql.INSERT_IF_CLAIMED,
                taking,
                key.hashed,
                1,
                new.sealed,
                sql.LOCK_SPACE,
                new.glance,
            )
        self._stored(key.hashed)  # written now, or by someone else before
        return (saved, result) if written is not None else None

    async def _try_transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        taking: Taking | None,
    ) -> tuple[UserState | None, T] | None:
        """One turn by version check; None if another writer came first (nothing written)."""
        async with self.guard.connection() as connection:
            row = self._row(key, await connection.fetchrow(sql.SELECT, key.hashed))
            stored = state_of(key, row)
            change, result = decide(stored)
            if change == "keep" or (change == "delete" and row is None):
                if taking is not None:
                    await taking.take(connection, key.hashed)
                return (None if change == "delete" else stored), result
            if change == "delete":
                assert row is not None
                async with connection.transaction():
                    gone = await _write_if(
                        connection,
                        sql.DELETE_IF,
                        sql.DELETE_IF_CLAIMED,
                        taking,
                        key.hashed,
                        row.version,
                        row.cohorts,
                    )
                    if gone is not None:
                        await cohorts.leave(connection, key.hashed, row)
                if gone is None:
                    return None
                self._forgotten(key.hashed)
                return None, result
            saved = evolve(change, version=stored.version + 1 if stored else 1)
            new = self._seal_state(key, saved)
            if row is None:
                written = await _write_if(
                    connection,
                    sql.INSERT_IF,
                    sql.INSERT_IF_CLAIMED,
                    taking,
                    key.hashed,
                    saved.version,
                    new.sealed,
                    sql.LOCK_SPACE,
                    new.glance,
                )
            else:
                counted = cohorts.count_rows(row.cohorts, row.instants(), new.instants)
                shares = counted is not None and row.sharing() != (new.shares > 0)
                async with cohorts.together(connection, shares):
                    written = await _write_if(
                        connection,
                        sql.UPDATE_IF if counted is None else sql.UPDATE_IF_COUNTED,
                        sql.UPDATE_IF_CLAIMED
                        if counted is None
                        else sql.UPDATE_IF_COUNTED_CLAIMED,
                        taking,
                        key.hashed,
                        row.version,
                        saved.version,
                        new.sealed,
                        new.glance,
                        row.cohorts,
                        *(counted or ()),
                    )
                    if shares and written is not None:
                        await cohorts.share(connection, key.hashed, row.cohorts, new.shares > 0)
        return (saved, result) if written is not None else None

    async def _locked_transact[T](
        self,
        key: UserKey,
        decide: Callable[[UserState | None], tuple[Change, T]],
        taking: Taking | None,
    ) -> tuple[UserState | None, T]:
        async with self.guard.transaction() as connection:
            if taking is not None:  # a repeat fails here; the transaction, then, writes nothing
                await taking.take(connection, key.hashed)
            row = await self._lock(connection, key)
            stored = state_of(key, row)
            change, result = decide(stored)
            if change == "keep":
                return stored, result
            if change == "delete":
                if row is not None:
                    await cohorts.leave(connection, key.hashed, row)
                await connection.execute(sql.DELETE, key.hashed)
                self._forgotten(key.hashed)
                return None, result
            saved = evolve(change, version=stored.version + 1 if stored else 1)
            await self._write(connection, key, row, saved)
            return saved, result

    async def save(self, key: UserKey, state: UserState, *, expected_version: int) -> UserState:
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            version = row.version if row else 0
            if version != expected_version:
                raise StaleStateError(
                    f"state of {key.hashed} is at version {version}, not {expected_version}"
                )
            saved = evolve(state, version=expected_version + 1)
            await self._write(connection, key, row, saved)
            return saved

    async def delete(self, key: UserKey) -> bool:
        """Its channel data goes with the row (ON DELETE CASCADE), and its part of any cohort
        totals with it (a row that does not open takes those totals with it: they are made
        afresh on the coach's next page)."""
        async with self.guard.transaction() as connection:
            counted = await connection.fetchval(sql.LOCK_COHORTS, key.hashed)
            if counted:
                try:
                    row = await self._lock(connection, key)
                except CorruptRowError:
                    await connection.execute(sql.DROP_COHORTS, list(counted))
                else:
                    assert row is not None
                    await cohorts.leave(connection, key.hashed, row)
            gone = await connection.fetchval(sql.DELETE, key.hashed) is not None
        self._forgotten(key.hashed)
        return gone

    async def load_extra(self, key: UserKey, name: str) -> dict[str, Any] | None:
        async with self.guard.connection() as connection:
            sealed = await connection.fetchval(sql.SELECT_EXTRA, key.hashed, name)
        return None if sealed is None else open_extra(self.sealer, key.hashed, name, sealed)

    async def save_extra(self, key: UserKey, name: str, value: dict[str, Any]) -> None:
        if await self.load_extra(key, name) == value:
            return  # unchanged (Teams saves its reference every turn): one read, no write
        async with self.guard.transaction() as connection:
            row = await self._lock(connection, key)
            if row is None:
                await connection.execute(sql.INSERT, key.hashed, 0, self._seal_meta(key), None)
            sealed = self.sealer.seal(encode_json(value), extra_label(key.hashed, name))
            await connection.execute(sql.UPSERT_EXTRA, key.hashed, name, sealed)

    async def stored_hashes(self) -> frozenset[str]:
        async with self.guard.connection() as connection:
            records = await connection.fetch(sql.HASHES)
        hashes = frozenset(str(record["leader"]) for record in records)
        self._known = set(hashes)
        return hashes

    # ---------------------------------------------------------------- LeaderArchive

    def dump_all(self) -> AsyncIterator[StoredLeader]:
        from bot.storage.postgres.archive import dump_leaders  # noqa: PLC0415 - it imports this

        return dump_leaders(self)

    async def restore(self, leader: StoredLeader) -> None:
        from bot.storage.postgres.archive import restore_leader  # noqa: PLC0415

        await restore_leader(self, leader)

    # ---------------------------------------------------------------- rows

    async def reseal(self) -> tuple[int, int]:
        """`peercoach rekey` on PostgreSQL: every row (and its channel data) sealed with the
        newest key. First every row is opened (a wrong key or a damaged row stops it before
        anything is written); then each leader's rows are re-sealed under the row lock, the
        plain bytes unchanged, so a turn running at the same time on a live instance is
        neither lost nor overwritten. Returns (re-sealed, already current)."""
        from bot.storage.postgres.archive import reseal_leaders  # noqa: PLC0415

        return await reseal_leaders(self)
