"""How make test shares the test files out between its two xdist workers (tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import PROJECT, XDIST_GROUPS, pytest_xdist_make_scheduler


class _Options:
    """What the xdist controller's config answers for `make test` (`-n 2 --dist loadfile`)."""

    def __init__(self, dist: str) -> None:
        self.values = {"dist": dist, "tx": ["popen", "popen"]}

    def getvalue(self, name: str):
        return self.values[name]


def test_every_grouped_file_exists():
    """A renamed file would silently leave its group and run beside the tests it must not meet."""
    assert [path for path in XDIST_GROUPS if not (PROJECT / path).is_file()] == []


def test_a_groups_files_are_one_unit_of_work_and_other_files_one_each():
    scheduler = pytest_xdist_make_scheduler(_Options("loadfile"), None)
    scopes = {path: scheduler._split_scope(f"{path}::test_x[a::b]") for path in XDIST_GROUPS}
    assert scopes["tests/test_first_run.py"] == scopes["tests/test_hangs_and_orphans.py"] == scopes["tests/test_reading_while_writing.py"]
    assert scopes["tests/test_dashboard.py"] == scopes["tests/test_warehouse_docs.py"] != scopes["tests/test_first_run.py"]
    assert scheduler._split_scope("tests/test_urls.py::test_a") == scheduler._split_scope("tests/test_urls.py::test_b[1]")
    assert scheduler._split_scope("tests/test_urls.py::test_a") != scheduler._split_scope("tests/test_lexicon.py::test_a")


def test_other_distribution_modes_keep_xdists_own_scheduler():
    assert pytest_xdist_make_scheduler(_Options("load"), None) is None
