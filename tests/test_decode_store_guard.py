import gzip

from extract.decode import decode_html
from extract.host_guard import is_public_address
from extract.raw_store import RawStore


def test_latin1_without_any_declaration_decodes_as_latin1():
    body = "<p>Café in Zürich, señor</p>".encode("latin-1")
    assert "Café in Zürich, señor" in decode_html(body)


def test_meta_charset_wins_over_guessing():
    body = '<meta charset="iso-8859-7"><p>\u03b1</p>'.encode("iso-8859-7")
    assert "\u03b1" in decode_html(body)


def test_header_charset_and_utf8_and_bom():
    assert decode_html("é".encode("utf-8")) == "é"
    assert decode_html("é".encode("cp1252"), header_charset="windows-1252") == "é"
    assert decode_html(b"\xef\xbb\xbfhi") == "hi"


def test_wrong_declared_charset_falls_back_without_raising():
    assert decode_html("naïve".encode("utf-8"), header_charset="no-such-charset") == "naïve"


def test_raw_store_is_content_addressed_and_compressed(tmp_path):
    store = RawStore(tmp_path)
    digest = store.put(b"<html>x</html>")
    assert store.put(b"<html>x</html>") == digest
    assert store.get(digest) == b"<html>x</html>"
    assert gzip.decompress(store.path_for(digest).read_bytes()) == b"<html>x</html>"
    assert len(list(tmp_path.rglob("*.gz"))) == 1


def test_private_loopback_and_link_local_addresses_are_not_public():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "::1", "fe80::1"):
        assert not is_public_address(address), address
    assert is_public_address("93.184.216.34")


def test_stored_pages_leave_memory_and_extraction_reads_them_back(tmp_path):
    """A run keeps no page bodies in memory: each page is read back from the raw store when its batch is extracted."""
    from extract.collect import read_local_pages
    from extract.pages import extract_pages
    from tests.support.pages import demo_pages

    page = demo_pages()[0]
    store = RawStore(tmp_path / "raw")
    outcomes = read_local_pages([page], store)
    digest = outcomes[0].raw_sha256
    assert outcomes[0].body is None and store.has(digest)
    assert store.size(digest) == outcomes[0].bytes == len(page.read_bytes())
    articles, failures = extract_pages(outcomes, store)
    assert not failures and len(articles) == 1 and len(articles[0].text) > 200
    store.path_for(digest).unlink()
    articles, failures = extract_pages(outcomes, store)
    assert not articles and failures[0].error_class == "raw_page_missing" and digest in failures[0].detail
