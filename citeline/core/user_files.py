"""Read a file a user points citeline at (a gold text, an annotation file, a model's weights) safely:
only a regular file, never more than a bound, and never blocking on a FIFO or a device.

The file is opened first and checked on the open descriptor, so a path swapped for a symlink to
/dev/zero between a check and the read cannot slip through.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from citeline.core.errors import CitelineError

_KINDS = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device",
          stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}


class UserFileError(CitelineError):
    """A file given to citeline is not a regular file, is larger than its bound, or cannot be read."""


def read_user_file(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file `path`, refused (one line naming it) when it is anything else or
    holds more than `max_bytes`."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one, for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise UserFileError(f"cannot read {str(path)!r}: {error.strerror}") from error
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS.items() if test(info.st_mode)), "not a regular file")
            raise UserFileError(f"{str(path)!r} is {kind}, not a regular file: refused")
        if max_bytes is not None and info.st_size > max_bytes:
            raise UserFileError(f"{str(path)!r} holds {info.st_size:,} bytes, more than the {max_bytes:,} allowed")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # One byte past the bound tells a file that grew since fstat from one that did not.
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise UserFileError(f"{str(path)!r} holds more than the {max_bytes:,} bytes allowed")
        return data
    except OSError as error:
        raise UserFileError(f"cannot read {str(path)!r}: {error.strerror}") from error
    finally:
        os.close(fd)
