import pytest

from extract.feeds import NotAFeed, parse_feed
from extract.inputs import InputError, plan_inputs

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://site.org/</link>
<item><title>A</title><link>https://site.org/a</link></item><item><link> https://site.org/b </link></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<link href="https://site.org/" rel="self"/><entry><link rel="alternate" href="https://site.org/c"/></entry>
<entry><link href="https://site.org/d"/></entry></feed>"""
SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://site.org/e</loc></url></urlset>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://site.org/sitemap-1.xml</loc></sitemap></sitemapindex>"""


def test_rss_items_only_not_the_channel_homepage():
    assert parse_feed(RSS).articles == ["https://site.org/a", "https://site.org/b"]


def test_atom_alternate_links():
    assert parse_feed(ATOM).articles == ["https://site.org/c", "https://site.org/d"]


def test_sitemap_and_index():
    assert parse_feed(SITEMAP).articles == ["https://site.org/e"]
    index = parse_feed(INDEX)
    assert index.articles == [] and index.nested == ["https://site.org/sitemap-1.xml"]


def test_html_is_not_a_feed():
    with pytest.raises(NotAFeed):
        parse_feed(b"<html><body>hi</body></html>")


def test_plan_mixes_urls_lists_feeds_and_folders(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "one.html").write_text("<html></html>")
    (tmp_path / "pages" / "notes.txt").write_text("not a page")
    urls = tmp_path / "urls.txt"
    urls.write_text("# my list\nhttps://a.org/1\n\nhttps://a.org/2#frag  # trailing comment\n")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    plan = plan_inputs(["https://x.org/n", str(urls), str(feed), str(tmp_path / "pages")])
    assert plan.urls == ["https://x.org/n", "https://a.org/1", "https://a.org/2#frag", "https://site.org/a", "https://site.org/b"]
    assert [p.name for p in plan.pages] == ["one.html"]


def test_missing_input_is_named_in_the_error(tmp_path):
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="nope.txt"):
        plan_inputs([missing])


def test_broken_feed_file_is_named(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<?xml version='1.0'?><html/>")
    with pytest.raises(InputError, match="broken.xml"):
        plan_inputs([str(bad)])


def test_a_url_list_with_no_url_is_named(tmp_path):
    empty = tmp_path / "urls.txt"
    empty.write_text("# nothing here yet\n\n   \n")
    with pytest.raises(InputError, match="lists no URL") as raised:
        plan_inputs([str(empty)])
    assert str(empty) in str(raised.value)
