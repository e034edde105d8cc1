"""Where the content that ships with peercoach is: inside the installed package, or the
checkout's `content/` when running from a checkout or an editable install."""

from importlib.resources import files
from pathlib import Path

INSTALLED = "content_files"  # setup.py puts content/ in the wheel as bot/content_files
CHECKOUT = Path(__file__).resolve().parent.parent / "content"


def shipped_content() -> Path:
    """The folder PEERCOACH_CONTENT_DIR defaults to."""
    installed = files("bot") / INSTALLED
    if installed.is_dir():
        return Path(str(installed))
    return CHECKOUT
