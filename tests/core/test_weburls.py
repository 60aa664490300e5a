from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.weburls import MAX_URL_LEN, InvalidUrlError, normalize_url


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("kopikenangan.com", "https://kopikenangan.com/"),
        ("  www.tokopedia.com/kopi-ku  ", "https://www.tokopedia.com/kopi-ku"),
        ("http://warung.co.id", "http://warung.co.id/"),
        ("HTTPS://Example.COM.:443/a?q=1#menu", "https://example.com/a?q=1#menu"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("example.com:8080/x", "https://example.com:8080/x"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("https://Müller.de/straße?q=ü", "https://xn--mller-kva.de/stra%C3%9Fe?q=%C3%BC"),
        ("https://instagram.com/@kopi.senja", "https://instagram.com/@kopi.senja"),
        ("http://8.8.8.8", "http://8.8.8.8/"),
        ("https://[2001:4860:4860::8888]/", "https://[2001:4860:4860::8888]/"),
        ("https://a.com/%7Euser", "https://a.com/%7Euser"),
    ],
)
def test_normalizes(text: str, url: str) -> None:
    assert normalize_url(text) == url
    assert normalize_url(url) == url


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("javascript:alert(1)", "only http and https"),
        ("JavaScript:alert(1)", "only http and https"),
        ("data:text/html,<b>x</b>", "only http and https"),
        ("mailto:owner@kopi.id", "only http and https"),
        ("ftp://files.example.com", "only http and https"),
        ("https:example.com", "'//'"),
        ("https://bank.com@evil.com", "user name"),
        ("https://user:pw@evil.com/", "user name"),
        ("https://evil.com\\@good.com", "backslashes"),
        ("https://exa mple.com", "spaces"),
        ("https://example.com/\x00", "control"),
        ("localhost", "public host"),
        ("http://localhost:8000", "public host"),
        ("http://app.localhost", "public host"),
        ("https://printer.local", "public host"),
        ("https://db.internal/", "public host"),
        ("intranet", "public host"),
        ("http://127.0.0.1/", "not a public address"),
        ("http://10.1.2.3/", "not a public address"),
        ("http://192.168.1.1/", "not a public address"),
        ("http://172.16.0.1/", "not a public address"),
        ("http://169.254.169.254/latest/meta-data", "not a public address"),
        ("http://100.64.0.1/", "not a public address"),
        ("http://0.0.0.0/", "not a public address"),
        ("http://[::1]/", "not a public address"),
        ("http://[fe80::1]/", "not a public address"),
        ("http://[::ffff:10.0.0.1]/", "not a public address"),
        ("http://127.1/", "not a valid IP"),
        ("http://0x7f.0.0.1/", "not a valid IP"),
        ("http://2130706433/", "not a valid IP"),
        ("https://a..com", "not a valid host"),
        ("https://-a.com", "not a valid host"),
        ("https://a_b.com", "not a valid host"),
        ("https://example.com:99999", "port"),
        ("https://example.com:0", "port"),
        ("https://" + "a" * 64 + ".com", "not a valid host"),
        ("https://example.com/" + "x" * MAX_URL_LEN, "longer than"),
    ],
)
def test_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InvalidUrlError) as info:
        normalize_url(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_non_ascii_path_is_percent_encoded_within_the_limit() -> None:
    # Each "é" becomes six characters; the limit applies to the stored form.
    with pytest.raises(InvalidUrlError, match="longer than"):
        normalize_url("https://example.com/" + "é" * 100)


hosts = st.lists(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3
).map(lambda labels: ".".join([*labels, "com"]))
paths = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="\\#?"
    ),
    max_size=30,
)


@given(st.sampled_from(["", "http://", "https://", "HTTPS://", "//"]), hosts, paths)
def test_valid_shapes_normalize_idempotently(prefix: str, host: str, path: str) -> None:
    url = normalize_url(f"{prefix}{host}/{path}")
    assert url.startswith(("http://", "https://"))
    assert url.isascii()
    assert normalize_url(url) == url
    assert f"//{host}/" in url


@given(st.text(max_size=80))
def test_random_text_only_raises_invalid_url(text: str) -> None:
    try:
        url = normalize_url(text)
    except InvalidUrlError:
        return
    assert url.startswith(("http://", "https://"))
    assert len(url) <= MAX_URL_LEN
    assert normalize_url(url) == url


@given(st.text(alphabet="htps:/[]@.%#?:0123456789abcdefx-_ lochs", max_size=40))
def test_url_like_noise_only_raises_invalid_url(text: str) -> None:
    try:
        url = normalize_url(text)
    except InvalidUrlError:
        return
    assert normalize_url(url) == url
