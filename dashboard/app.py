"""citeline's dashboard: `citeline dashboard` serves this with Streamlit over the warehouse's snapshot.

The warehouse path comes from CITELINE_DB (set by `citeline dashboard --db`). Pages are in
dashboard/pages.py; their SQL in dashboard/queries.py and warehouse/views/.
"""

from __future__ import annotations

import streamlit as st

from dashboard import pages

st.set_page_config(page_title="citeline", layout="wide")
navigation = st.navigation([
    st.Page(pages.overview, title="Overview", url_path="overview", default=True),
    st.Page(pages.statements, title="Statements", url_path="statements"),
    st.Page(pages.source_profile, title="Source profile", url_path="source"),
    st.Page(pages.outlets, title="Outlets", url_path="outlets"),
    st.Page(pages.echoes, title="Echoes", url_path="echoes"),
    st.Page(pages.fact_checks, title="Fact-checks", url_path="fact-checks"),
    st.Page(pages.claims, title="Claims", url_path="claims"),
    st.Page(pages.quality, title="Quality", url_path="quality"),
])
navigation.run()
