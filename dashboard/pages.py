"""The six dashboard pages, each answering one question users ask of the warehouse."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from citeline.core.workspace import DEFAULT_DB
from dashboard import queries
from dashboard.marking import marked_sentence
from dashboard.page_text import article_link, as_text, is_linkable
from warehouse.store import WarehouseError

NO_RUNS = "No runs yet: this warehouse has no published snapshot. Run `citeline run` first, then reload."
UNREADABLE = "The readers' snapshot of warehouse {name} cannot be read. Run `citeline run` to rewrite it, then reload."
log = logging.getLogger(__name__)


def _db() -> str:
    return os.environ.get("CITELINE_DB", str(DEFAULT_DB))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, db: str, version: int | None, args: tuple) -> object:
    return getattr(queries, name)(db, *args)


def read(name: str, *args):
    """queries.NAME(db, *args), cached until the snapshot changes (its mtime is part of the key)."""
    db = _db()
    return _cached(name, db, queries.snapshot_version(db), args)


def _has_runs() -> bool:
    if queries.snapshot_version(_db()) is None:
        st.info(NO_RUNS)
        return False
    return True


def unreadable_message(db: str) -> str:
    """What a reader is told when the snapshot cannot be read: the warehouse's name, no server path."""
    return UNREADABLE.format(name=as_text(repr(Path(db).name)))


def page(show: Callable[[], None]) -> Callable[[], None]:
    """`show`, with a snapshot that cannot be read (damaged, replaced, unreadable) shown as one plain
    message instead of a traceback with the server's paths; the detail goes to the server's log."""
    @functools.wraps(show)
    def shown() -> None:
        try:
            show()
        except (WarehouseError, duckdb.Error, OSError) as error:
            log.warning("dashboard page %s: the snapshot of %s cannot be read: %s", show.__name__, _db(), error)
            st.error(unreadable_message(_db()))
    return shown


def show_text_line(line: str, caption: bool = False) -> None:
    """Show one line of HTML whose page text went through `as_text`, as an HTML block: Markdown leaves an
    HTML block alone, while its autolinks (`www.…`, `http://…`) and emoji apply to Markdown text even
    where every character was escaped. A line ending could end the block, so there must be none."""
    if "\n" in line or "\r" in line:
        raise ValueError("page text shown as HTML must be one line (escape it with as_text)")
    (st.caption if caption else st.markdown)(f"<div>{line}</div>", unsafe_allow_html=True)


def _bar(frame: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "") -> None:
    chart = alt.Chart(frame).mark_bar().encode(x=alt.X(x, sort="-y" if color is None else None), y=y, tooltip=list(frame.columns))
    if color:
        chart = chart.encode(color=color)
    st.altair_chart(chart.properties(title=title), use_container_width=True)


@page
def overview() -> None:
    st.title("Overview")
    if not _has_runs():
        return
    runs = read("last_runs")
    if runs.empty:
        st.info(NO_RUNS)
        return
    latest = runs.iloc[0]
    columns = st.columns(4)
    columns[0].metric("last run", str(latest["status"]), help=str(latest["run_id"]))
    columns[1].metric("quality gate", str(latest["quality_verdict"]))
    columns[2].metric("articles published", int(latest["n_articles"] or 0))
    columns[3].metric("statements published", int(latest["n_statements"] or 0))
    st.subheader("Last runs")
    st.dataframe(runs, hide_index=True, column_config={"data_docs": st.column_config.TextColumn("Data Docs (file)")})
    failures = read("failures_by_reason", str(latest["run_id"]))
    st.subheader("Failures of the last run, by reason")
    if failures.empty:
        st.write("none")
    else:
        _bar(failures, "reason", "pages")
    per_day = read("statements_per_day")
    st.subheader("Statements per day")
    st.altair_chart(alt.Chart(per_day).mark_line(point=True).encode(x="day:T", y="statements:Q", tooltip=["day:T", "statements:Q"]),
                    use_container_width=True)
    st.subheader("Most cited sources, by type")
    _bar(read("top_sources_by_type"), "source", "statements", color="type")


@page
def statements() -> None:
    st.title("Statements")
    if not _has_runs():
        return
    options = read("filter_options")
    words = st.text_input("Search (full text, BM25)", key="words")
    cols = st.columns(3)
    labels = {"speaker": "Speaker", "speaker_type": "Source type", "kind": "Kind", "stance": "Stance", "channel": "Channel", "outlet": "Outlet"}
    chosen = {}
    for index, (column, label) in enumerate(labels.items()):
        chosen[column] = tuple(cols[index % 3].multiselect(label, options[column], key=f"filter_{column}"))
    dates = st.columns(3)
    since = dates[0].date_input("From", value=None, key="since")
    until = dates[1].date_input("To", value=None, key="until")
    through_chain = dates[2].checkbox("Reached us through a chain", key="chain")
    worth = st.columns(2)
    min_worthiness = worth[0].slider("Check-worthiness at least", 0.0, 1.0, 0.0, 0.05, key="min_worthiness")
    worthiest_first = worth[1].checkbox("Most check-worthy first", key="worthiest_first")
    found = read("find_statements", words, dict(chosen), since, until, through_chain, 50, min_worthiness, worthiest_first)
    st.caption(f"{len(found)} statements shown (at most 50)")
    chains = read("chains_of", tuple(found["statement_id"])) if len(found) else None
    for row in found.itertuples():
        with st.container(border=True):
            score = f" · score {row.score:.2f}" if pd.notna(row.score) else ""
            if pd.notna(row.check_worthiness):
                score += f" · check-worthiness {row.check_worthiness:.2f}{' (check-worthy)' if row.check_worthy else ''}"
            show_text_line(f"<b>{as_text(row.speaker)}</b> ({as_text(row.speaker_type)}) · {as_text(row.kind)} · "
                           f"{as_text(row.stance or 'no stance')} · {as_text(row.outlet or '')} · "
                           f"{str(row.published_date)[:10] if pd.notna(row.published_date) else ''}{score}")
            text = row.article_text
            spans = {"content": (row.content_start, row.content_end), "cue": (row.cue_start, row.cue_end),
                     "source": (row.source_start, row.source_end)}
            marked = marked_sentence(text, {k: (_int(a), _int(b)) for k, (a, b) in spans.items()})
            show_text_line(f'<div data-statement="{as_text(row.statement_id)}" style="white-space:pre-line">{marked}</div>')
            chain = chains[chains["statement_id"] == row.statement_id]
            show_text_line("chain: " + " ← ".join(f"{as_text(c.name)} ({as_text(c.role)})" for c in chain.itertuples()), caption=True)
            show_text_line(article_link(row.article_title, row.article_url))


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)


@page
def source_profile() -> None:
    st.title("Source profile")
    if not _has_runs():
        return
    sources = read("sources_list")
    if sources.empty:
        st.info("No statement has a source yet.")
        return
    ids = sources["source_id"].tolist()
    wanted = st.query_params.get("source")
    index = ids.index(wanted) if wanted in ids else 0
    labels = dict(zip(ids, sources["name"] + " (" + sources["type"] + ", " + sources["statements"].astype(str) + ")"))
    source_id = st.selectbox("Source", ids, index=index, format_func=labels.get, key="source")
    st.query_params["source"] = source_id
    profile = read("source_profile", source_id)
    name, kind = profile["source"].iloc[0]
    show_text_line(f"<h2>{as_text(name)}</h2>")
    show_text_line(f"type: <b>{as_text(kind)}</b> · {int(profile['mentions']['statements'].sum())} statements")
    left, right = st.columns(2)
    left.subheader("Written as")
    left.dataframe(profile["mentions"], hide_index=True)
    right.subheader("Stances")
    with right:
        _bar(profile["stances"], "stance", "statements")
    st.subheader("Statements over time")
    st.altair_chart(alt.Chart(profile["over_time"]).mark_bar().encode(x="day:T", y="statements:Q"), use_container_width=True)
    left, right = st.columns(2)
    left.subheader("Outlets that cite it")
    left.dataframe(profile["outlets"], hide_index=True)
    right.subheader("Through whom they cite it")
    if profile["through"].empty:
        right.write("directly only")
    else:
        right.dataframe(profile["through"], hide_index=True)


@page
def outlets() -> None:
    st.title("Outlets")
    if not _has_runs():
        return
    profile = read("outlets")
    st.dataframe(profile, hide_index=True)
    if profile.empty:
        return
    for column, title in (("share_anonymous_or_vague", "Share of statements from anonymous or vague sources"),
                          ("share_state_media", "Share reaching the outlet through state media"),
                          ("distinct_sources_per_article", "Distinct sources per article")):
        _bar(profile, "outlet", column, title=title)


@page
def echoes() -> None:
    st.title("Echoes")
    if not _has_runs():
        return
    found = read("echoes")
    st.caption("The same statement in several articles: where it first appeared, and who carried it after.")
    if found.empty:
        st.info("No statement appears in more than one article yet.")
        return
    st.dataframe(found, hide_index=True)
    chosen = st.selectbox("Follow one statement", found["statement"].tolist(), key="echo")
    carriers = read("echo_carriers", chosen).copy()
    # Only http(s) addresses become links; any other scheme stays text in a column of its own.
    linkable = carriers["url"].map(is_linkable)
    if not linkable.all():
        carriers["not linked"] = carriers["url"].where(~linkable)
        carriers["url"] = carriers["url"].where(linkable)
    st.dataframe(carriers, hide_index=True, column_config={"url": st.column_config.LinkColumn()})


@page
def quality() -> None:
    st.title("Quality")
    if not _has_runs():
        return
    st.subheader("Expectations evaluated, last 10 runs")
    st.dataframe(read("quality_results"), hide_index=True)
    st.subheader("Rows held back (quarantine)")
    held = read("quarantine")
    if held.empty:
        st.write("none")
    else:
        st.dataframe(held, hide_index=True)
    st.subheader("Fetch failures by reason")
    failures = read("fetch_failures")
    if failures.empty:
        st.write("none")
    else:
        _bar(failures, "reason", "urls", color="outcome")
