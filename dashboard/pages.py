"""The dashboard pages, each answering one question users ask of the warehouse."""

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
    matches = statement_matches(tuple(found["statement_id"]))
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
            show_matches(matches, row.statement_id)
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


FACT_CHECKS_MISSING = ("No fact-check matches here: this warehouse was written by a citeline that did not match statements "
                       "to fact-checks (it has no `statement_fact_checks`). Run `citeline run`, then reload.")
WORTHINESS_MISSING = ("No check-worthiness here: this warehouse was written by a citeline that did not score statements "
                      "(its statements have no `check_worthiness`). Run `citeline run`, then reload.")
CLAIMS_MISSING = ("No claims here: this warehouse was written by a citeline that did not group statements into claims "
                  "(it has no `claims` table). Run `citeline run`, then reload.")
ARTICLE_CLAIMS_MISSING = ("No outlets' own sentences scored here: this warehouse was written by a citeline that did not score "
                          "them (it has no `article_claims`). Run `citeline run`, then reload.")
FACT_CHECK_LABELS = {"verdict": "Verdict", "speaker": "Source", "outlet": "Outlet"}


def _day(value) -> str:
    return str(value)[:10] if value is not None and pd.notna(value) else "undated"


def match_line(match) -> str:
    """One fact-check that matched a statement, as one line of HTML: verdict, rating, reviewer, date, score,
    the claim it reviewed and a link to the review (http(s) only; any other address is shown as text)."""
    review = article_link("review", match.review_url) if isinstance(match.review_url, str) and match.review_url.strip() else "no review address"
    score = f" · score {match.score:.2f}" if pd.notna(match.score) else ""
    return (f'<span data-fact-check="{as_text(match.fact_check_id)}"><b>{as_text(match.verdict)}</b> · '
            f"rated “{as_text(match.rating_text)}” by {as_text(match.reviewer)} on {_day(match.review_date)}{score} · "
            f"claim reviewed: “{as_text(match.claim_reviewed)}” · {review}</span>")


def statement_matches(statement_ids: tuple[str, ...]) -> pd.DataFrame | None:
    """The fact-checks matched to these statements; None when the warehouse has no matching at all."""
    if not statement_ids or read("missing", queries.FACT_CHECK_MATCHES):
        return None
    return read("fact_checks_of", statement_ids)


def show_matches(matches: pd.DataFrame | None, statement_id: str) -> None:
    """Under a statement on the Statements page: each fact-check that matched it, one line each."""
    if matches is None:
        return
    for match in matches[matches["statement_id"] == statement_id].itertuples():
        show_text_line("fact-checked: " + match_line(match), caption=True)


@page
def fact_checks() -> None:
    st.title("Fact-checks")
    if not _has_runs():
        return
    if read("missing", queries.FACT_CHECK_MATCHES):
        st.info(FACT_CHECKS_MISSING)
        return
    options = read("fact_check_options")
    cols = st.columns(len(FACT_CHECK_LABELS))
    chosen = {name: tuple(cols[index].multiselect(label, options[name], key=f"fact_check_{name}"))
              for index, (name, label) in enumerate(FACT_CHECK_LABELS.items())}
    found = read("matched_statements", chosen)
    st.caption(f"{found['statement_id'].nunique()} statements a fact-check matched, newest first (at most 50)")
    for _statement_id, matches in found.groupby("statement_id", sort=False):
        row = matches.iloc[0]
        with st.container(border=True):
            show_text_line(f"<b>{as_text(row.speaker)}</b> ({as_text(row.speaker_type)}) · {as_text(row.kind)} · "
                           f"{as_text(row.outlet or '')} · {_day(row.day)}")
            spans = {"content": (row.content_start, row.content_end), "cue": (row.cue_start, row.cue_end),
                     "source": (row.source_start, row.source_end)}
            marked = marked_sentence(row.article_text, {k: (_int(a), _int(b)) for k, (a, b) in spans.items()})
            show_text_line(f'<div data-statement="{as_text(row.statement_id)}" style="white-space:pre-line">{marked}</div>')
            for match in matches.itertuples():
                show_text_line(match_line(match))
            show_text_line(article_link(row.article_title, row.article_url), caption=True)


@page
def claims() -> None:
    st.title("Claims")
    if not _has_runs():
        return
    outlets = tuple(st.multiselect("Outlet", read("filter_options")["outlet"], key="claims_outlet"))
    st.subheader("Most check-worthy statements of the latest run")
    if read("missing", queries.CHECK_WORTHINESS):
        st.info(WORTHINESS_MISSING)
    else:
        _show_check_worthy(read("most_check_worthy", outlets))
    st.subheader("Most check-worthy sentences the outlets wrote themselves")
    if read("missing", queries.ARTICLE_CLAIMS):
        st.info(ARTICLE_CLAIMS_MISSING)
    else:
        _show_outlet_sentences(read("most_check_worthy_sentences", outlets))
    st.subheader("Claims that spread")
    if read("missing", queries.CLAIMS):
        st.info(CLAIMS_MISSING)
        return
    least = int(st.number_input("Carried by at least this many outlets", min_value=2, value=2, step=1, key="claims_min_outlets"))
    spread = read("spread_claims", least, outlets)
    if spread.empty:
        st.info(f"No claim was carried by {least} outlets or more.")
        return
    st.caption(f"{len(spread)} claims carried by {least} outlets or more, most outlets first (at most 30)")
    carriers = read("claim_outlets", tuple(spread["claim_id"]))
    for claim in spread.itertuples():
        with st.container(border=True):
            show_text_line(f'<div data-claim="{as_text(claim.claim_id)}"><b>{as_text(claim.text)}</b></div>')
            chain = f" (through {as_text(claim.first_chain)})" if isinstance(claim.first_chain, str) else ""
            show_text_line(f"first appeared on {_day(claim.first_seen)} in <b>{as_text(claim.first_outlet)}</b>, "
                           f"said by <b>{as_text(claim.first_source)}</b>{chain} · {article_link(claim.first_title, claim.first_url)}")
            worth = f" · check-worthiness {claim.check_worthiness:.2f}" if pd.notna(claim.check_worthiness) else ""
            show_text_line(f"{claim.outlets} outlets · {claim.articles} articles · {claim.statements} statements · "
                           f"{claim.sources} sources · last seen {_day(claim.last_seen)}{worth}", caption=True)
            carried = carriers[carriers["claim_id"] == claim.claim_id]
            show_text_line("carried by: " + " · ".join(f"{as_text(c.outlet)} ({_day(c.first_day)})" for c in carried.itertuples()),
                           caption=True)


def _show_check_worthy(worthy: pd.DataFrame) -> None:
    if worthy.empty:
        st.info("No statement of the latest run has a check-worthiness score.")
        return
    st.caption(f"run {worthy['run_id'].iloc[0]} (started {str(worthy['started_at'].iloc[0])[:16]}): "
               f"its {len(worthy)} most check-worthy statements")
    for row in worthy.itertuples():
        mark = " · check-worthy" if row.check_worthy else ""
        show_text_line(f'<div data-worthy="{as_text(row.statement_id)}"><b>{row.check_worthiness:.2f}</b>{mark} · '
                       f"<b>{as_text(row.speaker)}</b> ({as_text(row.speaker_type)}) · {as_text(row.outlet or '')} · "
                       f"{_day(row.day)}: “{as_text(row.content)}” · {article_link(row.article_title, row.article_url)}</div>")


def _show_outlet_sentences(sentences: pd.DataFrame) -> None:
    if sentences.empty:
        st.info("No sentence an outlet wrote itself has a check-worthiness score in the latest run.")
        return
    for row in sentences.itertuples():
        mark = " · check-worthy" if row.check_worthy else ""
        show_text_line(f'<div data-article-claim="{as_text(row.article_id)}:{row.sentence_start}"><b>{row.check_worthiness:.2f}</b>{mark} · '
                       f"{as_text(row.outlet or '')} · {_day(row.day)}: “{as_text(row.text)}” · "
                       f"{article_link(row.article_title, row.article_url)}</div>")
