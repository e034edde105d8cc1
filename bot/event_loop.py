"""The event loop `peercoach serve` runs on.

uvloop (libuv underneath) where it installs, which is Linux and macOS: the server's time goes
mostly to HTTP in and out (Slack's and Teams' requests, Web API and Bot Connector calls), and
uvloop's transports and scheduling do that with less CPU than asyncio's own loop. Measured on
bench/slack_turns.py: about a tenth more turns per second. asyncio's loop elsewhere; nothing
in peercoach depends on which one it is.
"""

import asyncio


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # noqa: PLC0415 - optional: not installed on Windows
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
