"""Benchmarks: figures as ratios against a baseline measured in the same run.

The local data key (bot.crypto.keys.key_file) of every benchmark, and of the servers they
start, lives in a temporary folder, never in the real home."""

import os
import tempfile

_CONFIG_PREFIX = "peercoach-bench-config-"
if _CONFIG_PREFIX not in os.environ.get("XDG_CONFIG_HOME", ""):  # a child keeps its parent's
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix=_CONFIG_PREFIX)
