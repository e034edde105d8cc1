"""A TCP proxy on 127.0.0.1 that can go silent, as a network does when a cable or a route is
lost: nothing is refused or closed, packets simply stop arriving."""

import asyncio
import contextlib
from types import TracebackType


class SilentProxy:
    def __init__(self, port: int) -> None:
        self.target = port
        self.port = 0
        self._silent = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> "SilentProxy":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def go_silent(self) -> None:
        """Stop forwarding in both directions; every socket stays open."""
        self._silent.set()

    def cut(self) -> None:
        """Close every connection (the server's side learns the peer is gone)."""
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._silent.is_set():
            self._writers.append(writer)  # accepted, never answered
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._writers += [writer, up_writer]
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await source.read(65536):
                if self._silent.is_set():
                    await asyncio.Event().wait()  # held here, as the lost network holds it
                sink.write(chunk)
                await sink.drain()
        sink.transport.abort()
