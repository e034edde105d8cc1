"""`python -m bot` is the same as the `peercoach` command."""

from bot.cli import main

raise SystemExit(main())
