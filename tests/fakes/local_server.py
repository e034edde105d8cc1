"""What every fake platform server shares: an aiohttp app on 127.0.0.1 at a free port,
started and stopped with `async with`."""

from typing import Self

from aiohttp import web
from aiohttp.test_utils import TestServer


class LocalServer:
    _server: TestServer | None = None
    port = 0  # a free one; a subclass may fix it (references must stay valid across runs)

    def _app(self) -> web.Application:
        """The fake's routes."""
        raise NotImplementedError

    async def start(self) -> Self:
        self._server = TestServer(self._app(), host="127.0.0.1", port=self.port)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The server root, ending in "/" (a Slack fake's Web API is under url + "api/"; the
        Bot Connector fake's is the `serviceUrl` of inbound activities)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started: use `async with`")
        return str(self._server.make_url("/"))
