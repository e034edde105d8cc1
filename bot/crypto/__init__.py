"""Encryption at rest of the words leaders write: keys and sealing, shared by every store."""
