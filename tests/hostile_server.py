"""A hostile site on a loopback address: redirects into other hosts, trickled bodies, compression bombs."""

from __future__ import annotations

import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.news_server import ARTICLES

TRICKLE_SECONDS = 20.0  # how long a trickled body would take in full


def gzip_bomb(expanded_bytes: int) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return squeezer.compress(b"\0" * expanded_bytes) + squeezer.flush()


class HostileServer:
    """`with HostileServer("127.0.0.1", routes) as site:`: `routes` maps a path to a callable that answers
    the request handler; every request is counted in `site.hits`."""

    def __init__(self, host: str, routes: dict) -> None:
        self.host, self.routes, self.hits = host, routes, Counter()

    def __enter__(self) -> HostileServer:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.hits[self.path] += 1
                answer = site.routes.get(self.path)
                if answer is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    try:
                        answer(self)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the fetcher gave up on us, as it should

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}{path}"

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect_to(location: str):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def page(body: bytes, content_type: str = "text/html; charset=utf-8", encoding: str | None = None):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if encoding:
            handler.send_header("Content-Encoding", encoding)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def trickle(body: bytes, content_type: str = "text/html; charset=utf-8"):
    """Sends `body` a byte at a time, spread over TRICKLE_SECONDS: every read is quick, the whole is not."""
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        pause = TRICKLE_SECONDS / max(1, len(body))
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)
    return answer


ARTICLE = ARTICLES["/news/bridge.html"].encode()
