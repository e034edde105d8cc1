"""Benchmarks: figures as ratios against a baseline measured in the same run.

The local data key (bot.crypto.keys.key_file) of every benchmark, and of the servers they
start, lives in a temporary folder, never in the real home."""

import os
import tempfile

_CONFIG_PREFIX = "peercoach-bench-config-"
_KEPT = (_CONFIG_PREFIX, "peercoach-test-config-")  # a child's parent's; the tests' own
if not any(prefix in os.environ.get("XDG_CONFIG_HOME", "") for prefix in _KEPT):
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix=_CONFIG_PREFIX)
