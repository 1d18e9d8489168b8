"""The example questions in docs/warehouse.md, run against a warehouse built from the whole demo corpus."""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.conftest import PROJECT

DOC = (PROJECT / "docs" / "warehouse.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"### (\d+)\. (.+?)\n```sql\n(.+?)```", DOC, flags=re.DOTALL)
# Questions the demo corpus (295 Wikinews articles) has no answer for: they must run, not return rows.
MAY_BE_EMPTY = {"2", "4", "5"}


def test_the_docs_have_ten_questions_and_document_every_table():
    assert [number for number, _title, _sql in QUERIES] == [str(n) for n in range(1, 11)]
    con = duckdb.connect()
    from warehouse.store import migrate

    migrate(con)
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_name NOT LIKE 'stg_%'").fetchall():
        assert f"`{name}`" in DOC, f"{name} is not documented"
    for (table, column) in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_name NOT LIKE 'stg_%' "
        "AND table_name NOT IN ('schema_migrations')"
    ).fetchall():
        assert f"`{column}`" in DOC, f"{table}.{column} is not documented"


@pytest.mark.parametrize("number,title,sql", QUERIES, ids=[f"Q{n}" for n, _t, _s in QUERIES])
def test_doc_query_runs_on_the_demo_warehouse(demo_warehouse, number, title, sql):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        rows = cursor.fetchall()
        assert cursor.description, title
    if number not in MAY_BE_EMPTY:
        assert rows, f"Q{number} ({title}) returned nothing on the demo corpus"


def test_the_demo_chain_text_names_intermediaries_then_the_outlet(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        chains = con.execute("SELECT chain_text FROM statements_flat WHERE chain_length >= 1 LIMIT 5").fetchall()
        total, flat = con.execute("SELECT (SELECT count(*) FROM statements), (SELECT count(*) FROM statements_flat)").fetchone()
    assert total == flat > 1000
    assert chains and all(text.endswith("Wikinews") and " › " in text for (text,) in chains)
