"""Storage implementations, named for their technology, behind the ports in bot.ports."""
