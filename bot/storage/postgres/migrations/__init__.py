"""The schema, as numbered SQL files (see bot.storage.postgres.migrate)."""
