"""A write that failed because a filesystem is full, told as one line naming the file and where the space ran out.

DuckDB reports a full disk as a generic error whose text carries the OS message ("Could not write file
\"…/w.duckdb.wal\": No space left on device"); Python reports it as an OSError with its errno. Both become
`DiskFull`, a CitelineError, so the CLI prints one line and exits 2 instead of a traceback.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from citeline.core.errors import CitelineError

# ENOSPC: the filesystem is full; EDQUOT: the user's quota is; EFBIG: a file size limit (RLIMIT_FSIZE).
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
FULL_MESSAGES = tuple(os.strerror(code) for code in sorted(FULL_ERRNOS))
QUOTED_PATH = re.compile(r'"(/[^"]+)"|\'(/[^\']+)\'')


class DiskFull(CitelineError):
    """A file could not be written for lack of space; the message names the file and its filesystem."""


def disk_full(error: BaseException, path: Path | str | None = None) -> DiskFull | None:
    """`error` as a DiskFull if it (or what caused it) is a write refused for lack of space, else None;
    `path` names the file when the error itself does not."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DiskFull):
            return error
        found = _described(error, path)
        if found:
            return found
        error = error.__cause__ or error.__context__
    return None


def _described(error: BaseException, path: Path | str | None) -> DiskFull | None:
    if isinstance(error, OSError) and error.errno in FULL_ERRNOS:
        # A copy (shutil) names the source first and the file being written second.
        reason, named = os.strerror(error.errno), error.filename2 or error.filename or path
    else:
        text = str(error)
        reason = next((message for message in FULL_MESSAGES if message in text), None)
        if reason is None:
            return None
        match = QUOTED_PATH.search(text)
        named = (match.group(1) or match.group(2)) if match else path
    return DiskFull(_message(reason, Path(named) if named else None))


def _message(reason: str, path: Path | None) -> str:
    if path is None:
        return f"cannot write: {reason}; free space and run again (nothing already published was lost)"
    mount = _mount_point(path)
    try:
        free = f", {shutil.disk_usage(mount).free:,} bytes free"
    except OSError:
        free = ""
    return (f"cannot write {str(path)!r}: {reason} (filesystem mounted at {str(mount)!r}{free}); "
            "free space there and run again (nothing already published was lost)")


def _mount_point(path: Path) -> Path:
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return current


@contextmanager
def named_when_full(path: Path | str | None = None) -> Iterator[None]:
    """Turn a write refused for lack of space inside the block into DiskFull (naming `path` if the error
    does not name a file); every other error passes unchanged."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as error:
        full = disk_full(error, path)
        if full is None:
            raise
        raise full from error
