"""The service around the engine: locking, saving, platform data, export, forget."""

import asyncio
import json
from pathlib import Path

from bot.domain import PlatformInfo, UserKey
from bot.services.conversations import ConversationService
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs import texts
from dialogs.content_model import Content
from dialogs.model import Ask, NudgeDue, Say, UserText
from tests.conftest import FakeClock

ALICE = UserKey.console("alice")


def service(tmp_path: Path, content: Content, clock: FakeClock) -> ConversationService:
    return ConversationService(TinyDBUserStore(tmp_path), content, clock)


async def test_concurrent_events_for_one_leader_keep_every_change(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    svc = service(tmp_path, content, clock)
    await svc.handle(ALICE, UserText("start", clock.now()))
    await asyncio.gather(
        *(
            svc.handle(ALICE, NudgeDue(f"delivery-{i}", ("influence",), clock.now()))
            for i in range(20)
        )
    )
    state = await svc.store.load(ALICE)
    assert state is not None
    assert sorted(r.delivery for r in state.nudges) == sorted(f"delivery-{i}" for i in range(20))
    assert len(svc.locks) == 0  # no lock left behind


async def test_platform_timezone_is_taken_unless_the_leader_chose_one(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    svc = service(tmp_path, content, clock)
    await svc.handle(ALICE, UserText("hi", clock.now()), PlatformInfo("Alice", "Asia/Kolkata"))
    state = await svc.store.load(ALICE)
    assert state is not None
    assert state.profile.timezone == "Asia/Kolkata"
    await svc.handle(ALICE, UserText("timezone Europe/London", clock.now()))
    await svc.handle(ALICE, UserText("help", clock.now()), PlatformInfo("Alice", "Asia/Tokyo"))
    state = await svc.store.load(ALICE)
    assert state is not None
    assert state.profile.timezone == "Europe/London"


async def test_export_returns_everything_as_json(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    svc = service(tmp_path, content, clock)
    await svc.handle(ALICE, UserText("start energy", clock.now()))
    await svc.handle(ALICE, UserText("the rota meetings", clock.now()))
    reply = await svc.handle(ALICE, UserText("export", clock.now()))
    (attachment,) = reply.attachments
    document = json.loads(attachment.data)
    assert document["user"] == "console:alice"
    assert document["profile"]["timezone"]
    assert "reflections" in document
    assert "commitments" in document
    assert "awaiting" not in document
    # In a conversation: the export's line first, then the question it goes back to.
    said = [m.text for m in reply.messages if isinstance(m, Say)]
    assert said[0] == texts.EXPORT_STARTED
    assert isinstance(reply.messages[-1], Ask)


async def test_forget_me_removes_the_file(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    svc = service(tmp_path, content, clock)
    await svc.handle(ALICE, UserText("start energy", clock.now()))
    path = TinyDBUserStore(tmp_path).path_for(ALICE)
    assert path.exists()
    await svc.handle(ALICE, UserText("forget me", clock.now()))
    reply = await svc.handle(ALICE, UserText("yes", clock.now()))
    assert "deleted" in reply.messages[0].text  # type: ignore[union-attr]
    assert not path.exists()


async def test_an_unreadable_file_gives_a_polite_reply_and_stays_as_it_is(
    tmp_path: Path, content: Content, clock: FakeClock
) -> None:
    before = TinyDBUserStore(tmp_path)
    path = before.path_for(ALICE)
    before.close()
    path.write_text("not json")  # found at start: the writing process lists what exists
    svc = service(tmp_path, content, clock)
    reply = await svc.handle(ALICE, UserText("hello", clock.now()))
    assert reply.failed
    assert isinstance(reply.messages[0], Say)
    assert "Traceback" not in reply.messages[0].text
    assert path.read_text() == "not json"
