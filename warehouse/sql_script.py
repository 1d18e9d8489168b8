"""Running SQL with named parameters: DuckDB rejects a parameter the statement does not use."""

from __future__ import annotations

from typing import Any

import duckdb


def run_script(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
    """Run a `;`-separated script, giving each statement the parameters it names."""
    for statement in sql.split(";"):
        if statement.strip():
            con.execute(statement, {name: value for name, value in params.items() if f"${name}" in statement})
