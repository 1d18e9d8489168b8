import pytest

from extract.urls import InvalidURL, UnsupportedURL, canonicalize_url, dedupe_urls, url_id


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


@pytest.mark.parametrize("url", ["http://[::1", "http://example.com:99999/a", "http://[not-an-address]/"])
def test_malformed_urls_are_invalid_not_a_crash(url):
    with pytest.raises(InvalidURL, match="not a valid URL") as raised:
        canonicalize_url(url)
    assert raised.value.error_class == "invalid_url"


def test_ipv6_literals_keep_their_brackets():
    assert canonicalize_url("http://[::1]:8701/news?utm_source=x") == "http://[::1]:8701/news"
    assert canonicalize_url("https://[2001:DB8::1]:443/") == "https://[2001:db8::1]/"
