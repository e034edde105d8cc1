"""Garbage-collector settings for a long-running server.

What is loaded at start (content, libraries, the schedule store) lives for the whole process,
yet CPython's collector walks all of it again on every full collection, and its default
thresholds start a collection every 700 allocations: several times per chat turn. Measured on
bench/slack_turns.py: about a tenth of the server's CPU time went to the collector. Freezing
what exists once the server has started, and collecting the youngest objects less often,
gives that back. Reference counting still frees almost everything at once; the collector only
finds cycles, and a bigger first generation only holds cycles a little longer.

The first generation's threshold counts objects allocated and not yet freed. Under load the
young objects alive at a collection are mostly the turns in flight (acknowledged at once,
answered a little later: a few hundred of them in a burst, ~90 tracked objects each), and
each collection walks all of them: ~5 ms at 20,000, so collecting less often is what helps.
"""

import gc

YOUNG_THRESHOLD = 100_000  # net allocations between collections of the youngest (700)
OLDER_THRESHOLDS = (20, 20)  # (10, 10): collections of one generation per the next one's


def settle_after_start() -> None:
    """Call once start-up is over: what exists now stays for the process's life."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
