"""Loopback fakes of the chat platforms' web APIs, for tests and benchmarks."""
