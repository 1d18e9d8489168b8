"""Where things live by default: the bundled demo corpus and the warehouse file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_DB = Path("data") / "citeline.duckdb"
# Trained models stay on the user's machine, beside the corpus they came from (never shipped).
DEFAULT_MODEL = Path("data") / "models" / "tagger"


def demo_corpus() -> Path:
    """Folder of the 295 bundled Wikinews pages (CC BY 2.5; see citeline/demo/CREDITS.md)."""
    return Path(str(resources.files("citeline").joinpath("demo", "corpus")))


def raw_dir_for(db_path: Path) -> Path:
    """Raw pages are kept beside the warehouse file they belong to."""
    return db_path.parent / "raw"


def data_docs_root(db_path: Path) -> Path:
    """Great Expectations' file context, and its rendered Data Docs, live beside the warehouse."""
    return db_path.parent / "gx"
