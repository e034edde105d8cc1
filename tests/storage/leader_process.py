"""A process that contends for scheduler leadership and prints its role changes, for the
kill -9 test: `python -m tests.storage.leader_process URL`. Prints `active` once it leads."""

import asyncio
import sys

from bot.storage.postgres.leadership import PostgresLeadership
from bot.storage.postgres.url import DatabaseUrl


async def main(url: str) -> None:
    leadership = PostgresLeadership(DatabaseUrl.parse(url))

    async def gained() -> None:
        print("active", flush=True)

    async def lost() -> None:
        print("standby", flush=True)

    await leadership.start(gained, lost)
    await asyncio.sleep(120)  # bounded: the test kills it long before


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
