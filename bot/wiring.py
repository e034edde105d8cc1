"""Builds the application from Settings: content, storage and services."""

from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.services.conversations import ConversationService
from bot.storage.tinydb_store import TinyDBUserStore
from dialogs.content import load_content
from dialogs.content_model import Content


@dataclass
class App:
    settings: Settings
    content: Content
    users: TinyDBUserStore
    conversations: ConversationService

    @property
    def exports_dir(self) -> Path:
        return self.settings.data_dir / "exports"


def build_app(settings: Settings, clock: Clock) -> App:
    """Load and check content (ContentError if invalid) and open storage."""
    content = load_content(settings.content_dir)
    users = TinyDBUserStore(settings.data_dir)
    conversations = ConversationService(users, content, clock)
    return App(settings, content, users, conversations)
