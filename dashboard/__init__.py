"""The web dashboard over the warehouse's read-only snapshot (Streamlit; `citeline dashboard`)."""
