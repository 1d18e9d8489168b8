"""A real HTTP news site on 127.0.0.1 with the misbehaviours a crawler meets in the wild."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 3.0
OVERSIZE_BYTES = 300_000


def article_page(title: str, paragraphs: list[str], charset_meta: bool = True) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    meta = '<meta charset="utf-8">' if charset_meta else ""
    return f"""<!DOCTYPE html><html lang="en"><head>{meta}<title>{title}</title>
<meta property="og:site_name" content="Test Gazette"><meta name="author" content="Sam Writer">
<meta property="article:published_time" content="2024-03-01"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer>Copyright Test Gazette. <a href="/about">About</a> <a href="/privacy">Privacy</a></footer></body></html>"""


ARTICLES = {
    "/news/bridge.html": article_page("Bridge to reopen", [
        '"The bridge will reopen next week after repairs," the mayor said on Monday, adding that traffic would be limited at first.',
        "Engineers inspected the structure over the weekend and found no further damage to the supports.",
        "The city council said that the repairs cost more than two million euros, according to local records.",
    ]),
    "/news/storm.html": article_page("Storm warning for the coast", [
        "A powerful storm is expected to reach the coast on Thursday night, bringing heavy rain and strong winds.",
        "The storm could cause widespread flooding in low-lying areas, experts say.",
        'Police Chief Maria Lopez told reporters that residents should stay indoors. "Do not take any risks," she said.',
    ]),
    "/news/trade.html": article_page("Trade talks stall", [
        "Trade talks between the two countries stalled on Wednesday after negotiators failed to agree on tariffs.",
        "The agreement is dead, Reuters reported, citing two officials familiar with the talks.",
        "Neither government commented publicly on the outcome of the meeting, which lasted nine hours.",
    ]),
    "/news/final.html": article_page("Redirected story", [
        "The museum will open a new wing dedicated to modern sculpture in the spring, its director said.",
        "Visitors will be able to see more than two hundred works that have never been shown in public before.",
    ]),
    "/news/flaky.html": article_page("Flaky server story", [
        "The harbour authority said that shipping would resume on Friday once the channel has been cleared of debris.",
        "Dozens of vessels have been waiting outside the port since the collision earlier this week.",
    ]),
    "/news/busy.html": article_page("Rate limited story", [
        "Officials said the new tram line would carry forty thousand passengers a day when it opens next year.",
        "Construction has been delayed twice because of supply problems and a dispute over the route.",
    ]),
}
BROKEN = """<html><head><title>Broken markup</title><body><div><p>The regional court ruled on Tuesday
that the factory must close, a spokesman for the court said.<p>Workers gathered outside the gates <b>for
hours<i> after the ruling was announced</div></span></p> and the union said it would appeal the decision
in the coming weeks.<table><tr><td>unclosed"""
LATIN1 = article_page("Caf\u00e9 closes", [
    "The famous caf\u00e9 in Z\u00fcrich will close its doors after ninety years, the owner said on Sunday.",
    "Regular customers described the news as the end of an era for the old town and its residents.",
], charset_meta=False).encode("latin-1")


class NewsHandler(BaseHTTPRequestHandler):
    hits: Counter = Counter()
    conditional: list = []  # (path, If-None-Match, If-Modified-Since) of conditional requests
    edition = 1  # bump to change /news/changing.html

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The client gave up first (the slow page's timeout): expected.

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        NewsHandler.hits[path] += 1
        count = NewsHandler.hits[path]
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path in ("/news/bridge.html", "/news/storm.html", "/news/trade.html", "/news/final.html"):
            self._send(200, ARTICLES[path].encode())
        elif path == "/news/flaky.html":
            self._send(500, b"oops") if count == 1 else self._send(200, ARTICLES[path].encode())
        elif path == "/news/busy.html":
            self._send(429, b"slow down", headers={"Retry-After": "1"}) if count == 1 else self._send(200, ARTICLES[path].encode())
        elif path == "/news/slow.html":
            time.sleep(SLOW_SECONDS)
            self._send(200, ARTICLES["/news/bridge.html"].encode())
        elif path == "/files/report.pdf":
            self._send(200, b"%PDF-1.4 fake", "application/pdf")
        elif path == "/news/huge.html":
            self._send(200, b"<html><body>" + b"<p>filler text</p>" * (OVERSIZE_BYTES // 18) + b"</body></html>")
        elif path == "/news/etag.html":
            etag, modified = '"bridge-v1"', "Mon, 04 Mar 2024 10:00:00 GMT"
            if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                NewsHandler.conditional.append((path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")))
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
            else:
                self._send(200, ARTICLES["/news/trade.html"].encode(), headers={"ETag": etag, "Last-Modified": modified})
        elif path == "/news/changing.html":
            page = article_page("Changing story", [
                f"The council said that edition {NewsHandler.edition} of the budget would be published on Friday.",
                "Residents have been waiting for details about the new school and the repairs to the old bridge.",
            ])
            self._send(200, page.encode())
        elif path == "/news/broken.html":
            self._send(200, BROKEN.encode())
        elif path == "/news/latin1.html":
            self._send(200, LATIN1, "text/html")
        elif path == "/private/secret.html":
            self._send(200, ARTICLES["/news/bridge.html"].encode())
        elif path == "/go/1":
            self._send(301, headers={"Location": "/go/2"})
        elif path == "/go/2":
            self._send(302, headers={"Location": "/news/final.html"})
        elif path == "/feed.xml":
            items = "".join(f"<item><link>http://{self.headers['Host']}{p}</link></item>" for p in ("/news/trade.html", "/news/storm.html"))
            self._send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><link>/</link>{items}</channel></rss>'.encode(), "application/rss+xml")
        else:
            self._send(404, b"not found")


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class NewsServer:
    """Start with `with NewsServer() as site:`; `site.url(path)` gives absolute URLs. `NewsServer("::1")`
    serves on IPv6 loopback, its URLs with a bracketed literal."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host

    def __enter__(self) -> NewsServer:
        NewsHandler.hits = Counter()
        NewsHandler.conditional = []
        NewsHandler.edition = 1
        server = _IPv6Server if ":" in self.host else ThreadingHTTPServer
        self.httpd = server((self.host, 0), NewsHandler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.httpd.server_address[1]}{path}"

    @property
    def hits(self) -> Counter:
        return NewsHandler.hits

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
