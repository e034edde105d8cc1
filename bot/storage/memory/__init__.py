"""In memory: for tests and benchmarks; nothing survives the process."""
