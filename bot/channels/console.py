"""The console channel: chat with the coach in a terminal, or script it through a pipe."""

import asyncio
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.channels.console_render import to_text
from bot.domain import PlatformInfo, Reply, UserKey
from bot.ports import DeliveryError
from bot.services.conversations import ConversationService
from bot.storage.atomic import write_atomically
from bot.storage.private import private_folder
from dialogs.model import SessionOpened, UserText

BANNER = (
    "peercoach console · you are {key} · type help, or just say hello · "
    "Ctrl-D (or end of input) to leave"
)


class ConsoleChannel:
    """Reads lines, hands them to the service, prints the replies. Piped input is echoed so
    that the output is a readable transcript."""

    def __init__(
        self,
        service: ConversationService,
        key: UserKey,
        platform: PlatformInfo,
        exports_dir: Path,
        *,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        self.service = service
        self.key = key
        self.platform = platform
        self.exports_dir = exports_dir
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty() and stdout.isatty()
        self._lines: asyncio.Queue[str | None] | None = None
        self._ready = threading.Event()

    async def run(self) -> None:
        await self.open()
        await self.chat()

    async def open(self) -> None:
        """The banner, then what the coach says as the session opens."""
        self._print(BANNER.format(key=self.key))
        await self._show(
            await self.service.handle(
                self.key, SessionOpened(self.service.clock.now()), self.platform
            )
        )

    async def chat(self) -> None:
        """Lines in, replies out, until the end of input."""
        while (line := await self._read()) is not None:
            if not self.interactive:
                self._print(f"you> {line}")
            event = UserText(line, self.service.clock.now())
            await self._show(await self.service.handle(self.key, event, self.platform))
        if self.interactive:
            self._print("")  # end the line Ctrl-D left after the prompt
        self._print("coach> Bye for now. Your conversation is saved; come back any time.")

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:  # noqa: ARG002
        """Notifier: show a nudge or follow-up as it falls due, redrawing the prompt. Another
        console user's messages wait in their state until they open their console."""
        if key != self.key:
            raise DeliveryError("not at this console", permanent=True, leader_gone=False)
        waiting = self.interactive and self._ready.is_set() is False and self._lines is not None
        if waiting:
            self.stdout.write("\r\033[K")  # clear the "you> " the leader is looking at
        await self._show(reply)
        if waiting:
            self.stdout.write("you> ")
            self.stdout.flush()

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:  # noqa: ARG002
        """A terminal keeps no record of what it showed."""
        return None

    async def _read(self) -> str | None:
        if self._lines is None:
            self._lines = _start_reader(self._read_blocking)
        self._ready.set()  # the reply is on screen: now show the prompt
        return await self._lines.get()

    def _read_blocking(self) -> str | None:
        """One line from the terminal or pipe; None at end of input."""
        self._ready.wait()
        self._ready.clear()
        try:
            line = input("you> ") if self.interactive else self.stdin.readline()
        except EOFError:
            return None
        if not self.interactive and line == "":
            return None
        return line.rstrip("\r\n")

    async def _show(self, reply: Reply) -> None:
        text = to_text(reply.messages, colour=self.interactive)
        if text:
            self._print(text)
        for attachment in reply.attachments:
            private_folder(self.exports_dir)
            path = self.exports_dir / f"{self.key.hashed}-{attachment.filename}"
            await asyncio.to_thread(
                write_atomically, path, attachment.data, data_dir=self.exports_dir.parent
            )
            self._print(f"coach> Saved to {path}")

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()


def _start_reader(read: Callable[[], str | None]) -> "asyncio.Queue[str | None]":
    """Read lines on a daemon thread: a blocked read never holds up Ctrl-C or exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        while True:
            line = read()
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if line is None:
                return

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue
