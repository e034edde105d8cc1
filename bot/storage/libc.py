"""Linux system calls that Python's os module lacks, looked up once in the C library."""

import ctypes
import ctypes.util
from typing import Any


def libc_function(name: str) -> Any | None:
    """The C library's function `name`, or None where this platform has no such call."""
    library = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(library, use_errno=True) if library else None
    except OSError:
        return None
    return getattr(libc, name, None) if libc is not None else None
