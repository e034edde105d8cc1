"""Bare platform SDK bots that the benchmarks compare peercoach against."""
