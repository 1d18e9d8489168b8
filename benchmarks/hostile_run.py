"""One `citeline run` over every hostile page together: its wall time and peak memory.

    .venv/bin/python benchmarks/hostile_run.py

The pages are tests/hostile_server.py's: gzip bombs (a page and a robots.txt), bodies trickled a
byte at a time (a page and a robots.txt), a 1 MB response head, a redirect loop, an oversized page,
a non-HTML file, malformed lines in the URL list, and an ordinary article beside them. Round two adds
a page on another host declaring the article's URL as its canonical one, a sitemap index of 1,000
sitemaps x 50,000 URLs, one 9.9 MB paragraph, page text written as Markdown, images, KaTeX and script,
a page in German and a name in fullwidth letters. Each hostile robots.txt gets a loopback address of
its own (127.0.0.x) so it holds only its own host. The run is a new process (`--allow-private-hosts`,
since every server is on loopback; `--timeout 5`).

    .venv/bin/python benchmarks/hostile_run.py            # every hostile input
    .venv/bin/python benchmarks/hostile_run.py --round 1  # the first round's inputs only
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.long_input_benchmark import demo_text, shaped  # noqa: E402
from tests.hostile_server import ARTICLE, HostileServer, gzip_bomb, page, redirect_to, trickle  # noqa: E402
from tests.news_server import article_page  # noqa: E402
from tests.test_dashboard_hostile import hostile_article  # noqa: E402

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def round_two(host, main_site: HostileServer) -> list[str]:
    """Serve the second round's hostile pages, each on a host of its own; the URLs to give the run."""
    impostor = host("127.0.0.2", {"/robots.txt": page(b"", "text/plain"), "/p4.html": page(
        ARTICLE.replace(b"<head>", f'<head><link rel="canonical" href="{main_site.url("/news.html")}">'.encode(), 1))})
    sitemaps = host("127.0.0.6", {"/robots.txt": page(b"", "text/plain")})
    locs = "".join(f"<sitemap><loc>{sitemaps.url(f'/sitemap-{i}.xml')}</loc></sitemap>" for i in range(1000))
    sitemaps.routes["/index.xml"] = page(
        f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{locs}</sitemapindex>'.encode(), "application/xml")
    for i in range(1000):
        def sitemap(handler, i=i):
            urls = "".join(f"<url><loc>{sitemaps.url(f'/a/{i}/{j}.html')}</loc></url>" for j in range(50_000))
            page(f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{urls}</urlset>'.encode(), "application/xml")(handler)
        sitemaps.routes[f"/sitemap-{i}.xml"] = sitemap
    paragraph = html.escape(shaped("one line", 9_900_000, demo_text()), quote=False)
    german = article_page("Die Brücke", ['"Die Brücke wird nächste Woche wieder geöffnet", sagte der Bürgermeister.'])
    fullwidth = article_page("Two spellings", ["John Smith said the bridge would reopen next week.",
                                                "Ｊｏｈｎ Ｓｍｉｔｈ said the repairs cost two million euros."])
    pages = host("127.0.0.7", {"/robots.txt": page(b"", "text/plain"),
                               "/long.html": page(article_page("One endless paragraph", [paragraph]).encode()),
                               "/markdown.html": page(hostile_article("http://127.0.0.7", "1")),
                               "/de.html": page(german.replace('<html lang="en">', '<html lang="de">').encode()),
                               "/fullwidth.html": page(fullwidth.encode())})
    return [impostor.url("/p4.html"), sitemaps.url("/index.xml"),
            *(pages.url(p) for p in ("/long.html", "/markdown.html", "/de.html", "/fullwidth.html"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round", type=int, choices=(1, 2), default=2, help="1: the first round's inputs only")
    args = parser.parse_args()
    bomb = gzip_bomb(1024 * 1024 * 1024)  # 1 GB of zeros in about 1 MB
    work = Path(tempfile.mkdtemp(prefix="citeline-hostile-"))
    with ExitStack() as stack:
        def host(address: str, routes: dict) -> HostileServer:
            return stack.enter_context(HostileServer(address, routes))

        main_site = host("127.0.0.1", {
            "/robots.txt": page(b"User-agent: *\nAllow: /\n", "text/plain"),
            "/news.html": page(ARTICLE),
            "/bomb.html": page(bomb, encoding="gzip"),
            "/slow.html": trickle(ARTICLE[:600]),
            "/loop": redirect_to("/loop"),
            "/huge.html": page(b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p>"),
            "/report.pdf": page(b"%PDF-1.4", "application/pdf"),
        })
        bombed_robots = host("127.0.0.3", {"/robots.txt": page(bomb, "text/plain", encoding="gzip"), "/news.html": page(ARTICLE)})
        slow_robots = host("127.0.0.4", {"/robots.txt": trickle(b"User-agent: *\nAllow: /\n" * 20, "text/plain"), "/news.html": page(ARTICLE)})

        def huge_head(handler):
            handler.send_response(200)
            handler.send_header("X-Padding", "a" * 1_000_000)
            handler.end_headers()
        head = host("127.0.0.5", {"/robots.txt": page(b"", "text/plain"), "/head.html": huge_head})
        urls = [main_site.url(p) for p in ("/news.html", "/bomb.html", "/slow.html", "/loop", "/huge.html", "/report.pdf")]
        urls += [bombed_robots.url("/news.html"), slow_robots.url("/news.html"), head.url("/head.html"),
                 "http://[::1", "http://127.0.0.1:99999/x.html", "ftp://127.0.0.1/file"]
        if args.round == 2:
            urls += round_two(host, main_site)
        listing = work / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")
        began = time.perf_counter()
        # GNU time forks the run from its own small process, so its peak is the run's, not this one's
        # (which holds the bombs it serves); RUSAGE_CHILDREN here would count a fork of this process.
        done = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", str(PROJECT / ".venv" / "bin" / "citeline"), "run", str(listing), "--db", str(work / "w.duckdb"),
                               "--allow-private-hosts", "--per-host-delay", "0", "--timeout", "5"],
                              cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
        seconds = time.perf_counter() - began
    peak_mb = int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    if done.returncode not in (0, 1):
        sys.exit(f"citeline run exited {done.returncode}:\n{done.stderr[-3000:]}")
    import duckdb

    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        # The sitemaps the index names, and the article URLs they name (all 404), are counted, not listed.
        outcomes = con.execute("SELECT url, outcome, coalesce(error_class, '') FROM fetch_log WHERE url NOT LIKE '%/a/%' "
                               "AND url NOT LIKE '%/sitemap-%' ORDER BY url").fetchall()
        from_sitemaps = con.execute("SELECT CASE WHEN url LIKE '%/sitemap-%' THEN 'sitemaps' ELSE 'article URLs' END, "
                                    "outcome, coalesce(error_class, ''), count(*) FROM fetch_log "
                                    "WHERE url LIKE '%/a/%' OR url LIKE '%/sitemap-%' GROUP BY ALL ORDER BY ALL").fetchall()
        articles = con.execute("SELECT url, coalesce(untrusted_canonical_url, ''), coalesce(attribution_limit, ''), "
                               "attributed_chars, (SELECT count(*) FROM statements s WHERE s.article_id = a.article_id) "
                               "FROM articles a ORDER BY url").fetchall()
    print(f"one citeline run over {len(urls)} hostile inputs: {seconds:.1f} s wall, peak memory {peak_mb:.0f} MB "
          f"(largest process: the run, its attribution workers or its temporary Prefect server); exit {done.returncode}")
    for url, outcome, error_class in outcomes:
        print(f"  {outcome:<9} {error_class:<18} {url}")
    for what, outcome, error_class, n in from_sitemaps:
        print(f"  {outcome:<9} {error_class:<18} {n} {what} named by the sitemap index")
    print("articles: url | untrusted canonical | attribution limit | characters attributed | statements")
    for row in articles:
        print("  " + " | ".join(str(v) for v in row))
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "exit": done.returncode,
                      "fetch_log": outcomes, "from_sitemaps": from_sitemaps, "articles": articles}))

if __name__ == "__main__":
    main()
