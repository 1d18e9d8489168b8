"""Content-addressed, gzip-compressed store of fetched pages, so later runs can re-extract offline."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

from citeline.core.disk_full import named_when_full


class RawStore:
    """Pages stored once per content hash under `root/ab/abcdef….html.gz`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.html.gz"

    def put(self, body: bytes) -> str:
        """Store `body` if new; return its SHA-256. Written to a temp file, synced and renamed, so never half-written."""
        digest = hashlib.sha256(body).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        with named_when_full(target.parent):
            self._write(body, target)
        return digest

    @staticmethod
    def _write(body: bytes, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            # Locked while written (until closed): a writer clearing what killed runs left keeps it.
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(fd, "wb") as handle:
                handle.write(gzip.compress(body, compresslevel=6, mtime=0))
                handle.flush()
                # On disk before the rename (as warehouse.snapshot does): after a crash the page is whole
                # or absent, never an empty file under its hash that `has` would vouch for.
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, digest: str) -> bytes:
        return gzip.decompress(self.path_for(digest).read_bytes())

    def has(self, digest: str) -> bool:
        return self.path_for(digest).exists()

    def size(self, digest: str) -> int:
        """The page's size in bytes, from the gzip trailer (ISIZE), without decompressing it."""
        with self.path_for(digest).open("rb") as handle:
            handle.seek(-4, os.SEEK_END)
            return int.from_bytes(handle.read(4), "little")
