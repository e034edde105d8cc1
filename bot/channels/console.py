"""The console channel: chat with the coach in a terminal, or script it through a pipe."""

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.channels.console_render import to_text
from bot.domain import UserKey
from bot.services.conversations import ConversationService, PlatformInfo, Reply
from bot.storage.atomic import write_atomically
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

    async def run(self) -> None:
        self._print(BANNER.format(key=self.key))
        await self._show(
            await self.service.handle(
                self.key, SessionOpened(self.service.clock.now()), self.platform
            )
        )
        while (line := await self._read()) is not None:
            if not self.interactive:
                self._print(f"you> {line}")
            event = UserText(line, self.service.clock.now())
            await self._show(await self.service.handle(self.key, event, self.platform))
        self._print("coach> Bye for now. Your conversation is saved; come back any time.")

    async def deliver(self, reply: Reply) -> None:
        """Show something the coach sends unprompted (a nudge, a follow-up)."""
        await self._show(reply)

    async def _read(self) -> str | None:
        reader: Callable[[], str] = self._prompt_line if self.interactive else self.stdin.readline
        try:
            line = await asyncio.to_thread(reader)
        except EOFError:
            return None
        if not self.interactive and line == "":
            return None
        return line.rstrip("\r\n")

    def _prompt_line(self) -> str:
        return input("you> ")

    async def _show(self, reply: Reply) -> None:
        text = to_text(reply.messages, colour=self.interactive)
        if text:
            self._print(text)
        for attachment in reply.attachments:
            path = self.exports_dir / f"{self.key.hashed}-{attachment.filename}"
            await asyncio.to_thread(write_atomically, path, attachment.data)
            self._print(f"coach> Saved to {path}")

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()
