"""Swap a freshly written model folder in for the old one, for every trainer in transform/.

The new model is written into a staging sibling first; the swap is two renames on one filesystem, so a
reader sees the old model or the new, never half of either.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace_folder(staging: Path, out: Path) -> None:
    """Put `staging` at `out`: an existing `out` is renamed aside first and removed only after the swap."""
    if out.exists():
        retired = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(retired)
        staging.rename(out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out)
