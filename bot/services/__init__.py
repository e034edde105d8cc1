"""Application services: thin glue between channels, storage and the engine."""
