"""Text that came from a page (titles, site names, speaker names, article text), made inert for the dashboard.

Streamlit renders Markdown almost everywhere it shows a string (st.markdown, st.caption, st.header,
widget labels), and Markdown from a page is an attack: an image makes the reader's browser call the
page's server (who read it, and when), a link impersonates, `$$…$$` runs KaTeX. Every ASCII
punctuation character and every line ending becomes an HTML character reference: Markdown shows a
reference as its character and never as syntax, an HTML block shows it as text, and with no line ending
left a blank line cannot end an HTML block and switch Markdown back on. Streamlit still turns
`www.…`/`http://…` and emoji shortcodes in Markdown *text* into links and pictures after decoding, so
the pages put escaped text only inside one-line HTML blocks (pages.show_text_line), where Markdown
does nothing; widget options and dataframes show their strings as plain text and need no escaping.
"""

from __future__ import annotations

import string
from urllib.parse import urlsplit

LINKED_SCHEMES = ("http", "https")
_INERT = {ord(char): f"&#{ord(char)};" for char in string.punctuation + "\r\n\x0b\x0c\x85\u2028\u2029"}


def as_text(value: object) -> str:
    """`value` as text to put in Markdown or HTML (in an element or an attribute): shown exactly, never parsed."""
    return "" if value is None else str(value).translate(_INERT)


def is_linkable(url: object) -> bool:
    """True for an absolute http(s) URL with a host: the only addresses the dashboard makes into links."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in LINKED_SCHEMES and bool(parts.hostname)


def article_link(title: object, url: object) -> str:
    """HTML for an article: its title linked to `url` when that is http(s), else title and address as text.
    The link opens in a new tab and does not tell the page which dashboard it came from."""
    named = isinstance(title, str) and title.strip() != ""
    label = as_text(title if named else url)
    if not is_linkable(url):
        return label + (f" · {as_text(url)}" if named and isinstance(url, str) else "")
    return f'<a href="{as_text(url.strip())}" target="_blank" rel="noopener noreferrer nofollow">{label}</a>'
