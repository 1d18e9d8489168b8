"""Build the bundled demo corpus: one realistic news page per Wikinews article in ../shared/wikinews.

Run from the project root: `python tools/build_demo_corpus.py ../shared/wikinews`. The pages are
committed, so users never need ../shared; rerun only to regenerate them (the output is deterministic).
"""

from __future__ import annotations

import csv
import html
import re
import sys
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

OUT = Path(__file__).resolve().parent.parent / "citeline" / "demo" / "corpus"
LICENCE_URL = "https://creativecommons.org/licenses/by/2.5/"
SECTIONS = ["World", "Politics", "Science", "Disasters", "Sports", "Crime and law", "Health"]


def slug_of(url: str) -> str:
    title = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()
    return slug[:90] or "article"


def paragraphs_of(text: str) -> tuple[str | None, list[str]]:
    """The dateline (first line, e.g. 'Friday, January 4, 2019') and the body paragraphs."""
    blocks = [b.strip().replace("\xa0", " ") for b in re.split(r"\n\s*\n", text) if b.strip()]
    dateline = blocks[0] if blocks and re.fullmatch(r"\w+day, \w+ \d{1,2}, \d{4}", blocks[0]) else None
    body = blocks[1:] if dateline else blocks
    return dateline, [" ".join(b.split()) for b in body]


def render(row: dict[str, str], index: int, related: list[dict[str, str]]) -> str:
    dateline, body = paragraphs_of(row["text"])
    title = html.escape(row["title"])
    url = html.escape(row["url"].replace("org//wiki", "org/wiki"))
    published = date.fromisoformat(row["date"]).isoformat()
    section = SECTIONS[index % len(SECTIONS)]
    related_items = "\n".join(
        f'        <li><a href="{html.escape(r["url"])}">{html.escape(r["title"])}</a></li>' for r in related
    )
    paragraphs = "\n".join(f"      <p>{html.escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - Wikinews, the free news source</title>
  <link rel="canonical" href="{url}">
  <meta name="author" content="Wikinews contributors">
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="Wikinews">
  <meta property="og:type" content="article">
  <meta property="article:published_time" content="{published}">
  <meta property="article:section" content="{section}">
  <meta name="license" content="{LICENCE_URL}">
</head>
<body>
  <header class="site-header">
    <a class="logo" href="https://en.wikinews.org/wiki/Main_Page">Wikinews</a>
    <nav class="main-nav">
      <ul>
        <li><a href="https://en.wikinews.org/wiki/Main_Page">Main page</a></li>
        <li><a href="https://en.wikinews.org/wiki/Portal:World">World</a></li>
        <li><a href="https://en.wikinews.org/wiki/Portal:Politics_and_conflicts">Politics</a></li>
        <li><a href="https://en.wikinews.org/wiki/Portal:Science_and_technology">Science</a></li>
        <li><a href="https://en.wikinews.org/wiki/Portal:Sports">Sports</a></li>
        <li><a href="https://en.wikinews.org/wiki/Wikinews:Writing_an_article">Write an article</a></li>
      </ul>
    </nav>
    <form class="search" action="https://en.wikinews.org/w/index.php"><input name="search" placeholder="Search Wikinews"></form>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By <span class="author">Wikinews contributors</span> &middot; <time datetime="{published}">{html.escape(dateline or published)}</time></p>
{paragraphs}
      <p class="credit">This article is from <a href="{url}">Wikinews</a> and is available under the
        <a href="{LICENCE_URL}">Creative Commons Attribution 2.5</a> licence. Changes: re-rendered as a standalone page.</p>
    </article>
    <aside class="related">
      <h2>Related news</h2>
      <ul>
{related_items}
      </ul>
    </aside>
  </main>
  <footer class="site-footer">
    <p>Content is available under <a href="{LICENCE_URL}">Creative Commons Attribution 2.5</a> unless otherwise noted.</p>
    <ul><li><a href="https://en.wikinews.org/wiki/Wikinews:Privacy_policy">Privacy policy</a></li>
      <li><a href="https://en.wikinews.org/wiki/Wikinews:About">About Wikinews</a></li>
      <li><a href="https://en.wikinews.org/wiki/Wikinews:General_disclaimer">Disclaimers</a></li></ul>
  </footer>
</body>
</html>
"""


def main(source: Path) -> None:
    rows: list[dict[str, str]] = []
    for name in sorted(source.glob("wikinews_*.csv")):
        with name.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*.html"):
        stale.unlink()
    used: set[str] = set()
    for index, row in enumerate(rows):
        slug = slug_of(row["url"])
        name = f"{row['date']}-{slug}"
        while name in used:
            name += "-x"
        used.add(name)
        related = [rows[(index + k) % len(rows)] for k in (1, 2, 3)]
        (OUT / f"{name}.html").write_text(render(row, index, related), encoding="utf-8")
    print(f"wrote {len(rows)} pages to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/wikinews"))
