"""Where things live: the defaults, the bundled demo corpus, and every path derived from the warehouse's.

A warehouse file keeps its raw pages, its Great Expectations context (and Data Docs) and its readers'
snapshot beside it; `Workspace` is the one place those paths are derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_DB = Path("data") / "citeline.duckdb"
# Trained models stay on the user's machine, beside the corpus they came from (never shipped).
DEFAULT_MODEL = Path("data") / "models" / "tagger"
DEFAULT_MATCHER = Path("data") / "models" / "matcher"


def demo_corpus() -> Path:
    """Folder of the 295 bundled Wikinews pages (CC BY 2.5; see citeline/demo/CREDITS.md)."""
    return Path(str(resources.files("citeline").joinpath("demo", "corpus")))


@dataclass(frozen=True)
class Workspace:
    """The warehouse file `db` and what lives beside it."""

    db: Path

    def __init__(self, db: Path | str) -> None:
        object.__setattr__(self, "db", Path(db))

    @property
    def raw_dir(self) -> Path:
        """Raw pages, content-addressed (extract.raw_store)."""
        return self.db.parent / "raw"

    @property
    def data_docs_root(self) -> Path:
        """Great Expectations' file context, and its rendered Data Docs."""
        return self.db.parent / "gx"

    @property
    def data_docs_index(self) -> Path:
        """The Data Docs' index page."""
        return data_docs_index(self.data_docs_root)

    @property
    def spill_dir(self) -> Path:
        """Where DuckDB spills what does not fit its memory limit: `<warehouse>.tmp/` (its default)."""
        return Path(f"{self.db}.tmp")

    @property
    def runs_dir(self) -> Path:
        """The lock files of live runs (warehouse.liveness): `.<name>.runs/`."""
        return self.db.with_name(f".{self.db.name}.runs")

    @property
    def snapshot(self) -> Path:
        """The read-only copy readers open (warehouse.snapshot): `<name>.snapshot.duckdb`."""
        return self.db.with_name(f"{self.db.stem}.snapshot{self.db.suffix or '.duckdb'}")


def data_docs_index(docs_root: Path) -> Path:
    """The Data Docs' index page of a Great Expectations context rooted at `docs_root`."""
    return docs_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
