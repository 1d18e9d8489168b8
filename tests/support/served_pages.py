"""Invented news pages served on 127.0.0.1: each with its outlet's name and its publication date in the
markup, for end-to-end runs that need several outlets and days."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def outlet_page(outlet: str, published: str, title: str, paragraphs: list[str]) -> str:
    """An article page of `outlet` published on `published` (YYYY-MM-DD), as a news site marks them up."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="{outlet}"><meta name="author" content="Staff Reporter">
<meta property="article:published_time" content="{published}"></head>
<body><nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer>Copyright {outlet}. <a href="/about">About</a></footer></body></html>"""


@contextmanager
def served_pages(pages: dict[str, str]) -> Iterator[str]:
    """Serve `pages` (path -> HTML; a query string is ignored) on 127.0.0.1 for the block; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            page = pages.get(self.path.split("?", 1)[0])
            body = (page or "not found").encode("utf-8")
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
