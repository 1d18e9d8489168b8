"""A re-run fetches with validators and re-attributes nothing that did not change."""

from __future__ import annotations

import duckdb

import flows.pipeline as pipeline
from flows.run_config import FetchSettings, RunConfig
from tests.news_server import NewsHandler, NewsServer


def test_rerun_uses_conditional_get_and_skips_unchanged_articles(tmp_path, prefect_server, monkeypatch):
    attributed: list[str] = []
    real_attribute_texts = pipeline.attribute_texts

    def counting(texts, *args, **kwargs):
        attributed.extend(texts)
        return real_attribute_texts(texts, *args, **kwargs)

    monkeypatch.setattr(pipeline, "attribute_texts", counting)
    db = tmp_path / "w.duckdb"
    with NewsServer() as site:
        urls = [site.url("/news/etag.html"), site.url("/news/bridge.html"), site.url("/news/changing.html")]

        def run():
            return pipeline.citeline_run(RunConfig(inputs=urls, db=str(db), fetch=FetchSettings(allow_private_hosts=True, per_host_delay=0.0)))

        first = run()
        assert first["run"]["n_articles"] == 3 and len(attributed) == 3
        assert NewsHandler.conditional == []

        NewsHandler.edition = 2  # only this page changes
        attributed.clear()
        second = run()

        # The ETag page was asked for conditionally and answered 304.
        assert NewsHandler.conditional == [("/news/etag.html", '"bridge-v1"', "Mon, 04 Mar 2024 10:00:00 GMT")]
        # Only the changed page was extracted and attributed again.
        assert len(attributed) == 1 and "edition 2" in attributed[0]
        assert second["run"]["n_articles"] == 1 and second["run"]["n_unchanged"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        log = dict(con.execute(
            "SELECT split_part(url, '/', -1), outcome || ':' || unchanged FROM fetch_log WHERE run_id = ?",
            [second["run"]["run_id"]]).fetchall())
        assert log == {"etag.html": "not_modified:true", "bridge.html": "fetched:true", "changing.html": "fetched:false"}
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        contents = [c for (c,) in con.execute("SELECT content FROM statements WHERE content LIKE '%edition%'").fetchall()]
        assert len(contents) == 1 and "edition 2" in contents[0]
