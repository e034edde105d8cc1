"""Circles kept in one file, for tests that need them to outlive a process (a kill -9):
the memory backend, written whole (temporary file, fsync, rename) after every change. The
TinyDB and PostgreSQL backends are another branch's; this stands in for them here."""

import os
import pickle
from pathlib import Path

from bot.circles.model import CheckIn, Circle, Membership, Round
from bot.storage.memory.circles import InMemoryCircleBackend


class FileCircleBackend(InMemoryCircleBackend):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            with path.open("rb") as handle:
                loaded = pickle.load(handle)  # a file this test wrote
            self._circles, self._members, self._rounds, self._check_ins = loaded

    def _write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump((self._circles, self._members, self._rounds, self._check_ins), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    async def put_circle(self, circle: Circle) -> None:
        await super().put_circle(circle)
        self._write()

    async def put_membership(self, membership: Membership) -> None:
        await super().put_membership(membership)
        self._write()

    async def put_round(self, round_: Round) -> None:
        await super().put_round(round_)
        self._write()

    async def put_check_in(self, check_in: CheckIn) -> None:
        await super().put_check_in(check_in)
        self._write()
