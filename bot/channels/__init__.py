"""Channels translate between a platform and the conversation service, nothing more."""
