"""How the `peercoach` command fails: an operator's mistake (a setting, a port, a folder) is
one sentence naming the setting, exit 2; a data file that cannot be read is one sentence
naming it, exit 1; anything unexpected is one sentence saying where to look, with a
structured log line and no traceback (unless they ask for one), exit 70."""

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from bot.errors import ConfigError, StorageError
from bot.logs import log, setup_logging

logger = logging.getLogger("peercoach.cli")
CONFIG_EXIT = 2
STORAGE_EXIT = 1
CRASH_EXIT = 70  # EX_SOFTWARE: the fault is ours, not the operator's
INTERRUPTED_EXIT = 130
_ROOT = Path(__file__).resolve().parent.parent


def print_config_error(error: ConfigError) -> int:
    """Each problem on a line of its own (Settings collects them all at once)."""
    for problem in str(error).splitlines():
        print(f"peercoach: {problem}", file=sys.stderr)
    return CONFIG_EXIT


def run_guarded(command: Callable[[], int], *, debug: bool = False) -> int:
    """Run one subcommand; the last line of defence between an operator and a traceback."""
    try:
        return command()
    except ConfigError as error:
        return print_config_error(error)
    except StorageError as error:  # a data file or folder: the message names it and the fix
        print(f"peercoach: {error}", file=sys.stderr)
        return STORAGE_EXIT
    except KeyboardInterrupt:
        return INTERRUPTED_EXIT
    except Exception as error:  # the point: nothing escapes as a traceback
        return _crashed(error, debug=debug)


def _crashed(error: Exception, *, debug: bool) -> int:
    where = origin(error)
    if not logging.getLogger().handlers:
        setup_logging("WARNING")
    # The type and place only: an exception's own text may quote data (a key, a value).
    log(logger, "cli.crashed", level=logging.ERROR, error=type(error).__name__, at=where)
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    print(
        f"peercoach stopped on an unexpected error ({type(error).__name__} at {where}): see "
        "the log line event=cli.crashed, run again with PEERCOACH_LOG_LEVEL=DEBUG for the "
        "full traceback, and report it.",
        file=sys.stderr,
    )
    return CRASH_EXIT


def origin(error: BaseException) -> str:
    """`file:line` of the innermost frame in peercoach's own code (else the innermost)."""
    here = Path(__file__).resolve()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) != here]
    if not frames:
        return "unknown place"
    ours = [f for f in frames if _is_ours(f.filename)]
    frame = (ours or frames)[-1]
    path = Path(frame.filename)
    shown = path.relative_to(_ROOT) if _is_ours(frame.filename) else Path(path.name)
    return f"{shown}:{frame.lineno}"


def _is_ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(_ROOT / "bot") or path.is_relative_to(_ROOT / "dialogs")
