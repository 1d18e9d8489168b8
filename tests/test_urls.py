import pytest

from extract.urls import UnsupportedURL, canonicalize_url, dedupe_urls, url_id


def test_canonical_form_drops_tracking_fragment_and_default_port():
    url = "HTTPS://Example.COM:443/news/a.html?utm_source=tw&b=2&fbclid=x&a=1#top"
    assert canonicalize_url(url) == "https://example.com/news/a.html?a=1&b=2"


def test_non_default_port_and_empty_path_are_kept_meaningfully():
    assert canonicalize_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"


@pytest.mark.parametrize("url", ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost"])
def test_unsupported_urls_are_refused(url):
    with pytest.raises(UnsupportedURL):
        canonicalize_url(url)


def test_dedupe_keeps_first_spelling_and_reports_rejects():
    keep, rejected = dedupe_urls([
        "https://a.org/x?utm_medium=m", "https://a.org/x", "https://a.org/x?gclid=1", "ftp://a.org/y", "https://a.org/z",
    ])
    assert keep == [("https://a.org/x?utm_medium=m", "https://a.org/x"), ("https://a.org/z", "https://a.org/z")]
    assert [url for url, _ in rejected] == ["ftp://a.org/y"]


def test_url_id_is_stable_and_distinct():
    assert url_id("https://a.org/x") == url_id("https://a.org/x")
    assert url_id("https://a.org/x") != url_id("https://a.org/y")
    assert len(url_id("https://a.org/x")) == 16
