"""Each statement's sentence vector is encoded once in its batch and published with it, never orphaned."""

from __future__ import annotations

import duckdb
import numpy as np

from expectations.gate import validate_staged
from tests.support.warehouse import NEWS_TEXT, run_rows, stage_and_load
from transform import encoder
from warehouse.batch_rows import statement_vector_rows


def _with_vectors(rows):
    rows.statement_vectors = statement_vector_rows(rows)
    return rows


def _published(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT v.statement_id, s.content, v.encoder_id, v.vector FROM statement_vectors v "
                           "LEFT JOIN statements s USING (statement_id) ORDER BY 1").fetchall()


def test_every_published_statement_has_its_own_content_vector(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = _with_vectors(run_rows({"a1": NEWS_TEXT}))
    assert rows.statements, "the fixture text must have statements"
    stage_and_load(db, "run-1", rows, [], [], validate_staged)

    published = _published(db)
    assert len(published) == len(rows.statements) and all(content is not None for _, content, _, _ in published)
    for _, content, encoder_id, vector in published:
        assert encoder_id == encoder.MODEL_ID
        assert np.allclose(np.asarray(vector, dtype=np.float32), encoder.encode([content])[0], atol=1e-5)


def test_a_republished_article_replaces_its_vectors_and_a_quarantined_statement_has_none(tmp_path):
    db = tmp_path / "w.duckdb"
    stage_and_load(db, "run-1", _with_vectors(run_rows({"a1": NEWS_TEXT})), [], [], validate_staged)
    rows = _with_vectors(run_rows({"a1": '"Tickets are gone," the club said.'}))
    rows.statements[0]["content_start"] += 1  # its content no longer matches the text: the gate quarantines it
    stage_and_load(db, "run-2", rows, [], [], validate_staged)

    with duckdb.connect(str(db), read_only=True) as con:
        statements = {r[0] for r in con.execute("SELECT statement_id FROM statements").fetchall()}
        quarantined = con.execute("SELECT count(*) FROM quarantine WHERE table_name = 'statements'").fetchone()[0]
        staged = con.execute("SELECT count(*) FROM stg_statement_vectors").fetchone()[0]
    assert quarantined == 1 and staged == 0
    assert {row[0] for row in _published(db)} == statements  # none left of run-1's, none for the quarantined one
