"""Content-addressed, gzip-compressed store of fetched pages, so later runs can re-extract offline."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path


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
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
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
        return digest

    def get(self, digest: str) -> bytes:
        return gzip.decompress(self.path_for(digest).read_bytes())

    def has(self, digest: str) -> bool:
        return self.path_for(digest).exists()

    def size(self, digest: str) -> int:
        """The page's size in bytes, from the gzip trailer (ISIZE), without decompressing it."""
        with self.path_for(digest).open("rb") as handle:
            handle.seek(-4, os.SEEK_END)
            return int.from_bytes(handle.read(4), "little")
