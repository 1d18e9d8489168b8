"""The bundled demo corpus (Wikinews pages), whole or a slice of it copied to a folder of inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

from citeline.core.workspace import demo_corpus


def demo_pages() -> list[Path]:
    """The demo corpus's pages, in name order (so a slice of them is the same every time)."""
    return sorted(demo_corpus().glob("*.html"))


def copy_demo_pages(folder: Path, picked: slice) -> list[Path]:
    """Copy the `picked` demo pages into `folder` (created), under their own names; the copies."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(page, folder / page.name)) for page in demo_pages()[picked]]
