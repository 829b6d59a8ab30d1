"""Tokens: stripped where they enter, refused in one line when they cannot be a header, redacted in every form,
sent only to the server they belong with, and a warning for plain http beyond this machine.

The plugins' test_token_hosts.py send to a capture server through each vendor SDK; integration/test_tokens_providers.py
runs connect() and `annobridge migrate` on the command line with bad tokens against capture servers.
"""

from __future__ import annotations

import warnings
from urllib.parse import quote

import pytest

from annobridge.errors import AuthenticationError, InvalidURL
from annobridge.testing.capture import assert_hidden, forms
from annobridge.tokens import REDACTED, PlainHTTPWarning, bound_token, clean_token, redact, warn_plain_http
from annobridge.urls import BackendURL, http_origin, is_loopback

SECRET = "Zq9xK7mWv2Lp4Rt8"  # distinctive: any four characters of it in a message would be a leak


# -- clean_token --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [SECRET, f" {SECRET}", f"{SECRET}\r\n", f"\t{SECRET}\n", f"\r\n {SECRET} \x0b\x0c"])
def test_surrounding_whitespace_is_stripped(raw):
    assert clean_token(raw, "API_TOKEN") == SECRET


def test_no_token_stays_none():
    assert clean_token(None) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "is empty"),
        (" \r\n\t ", "is empty"),
        (f"{SECRET[:8]}\r\n{SECRET[8:]}", "a line break"),
        (f"{SECRET[:8]}\n{SECRET[8:]}", "a line break"),
        (f"{SECRET[:8]}\x00{SECRET[8:]}", "a control character"),
        (f"{SECRET[:8]}\x7f{SECRET[8:]}", "a control character"),
        (f"{SECRET[:8]}\t{SECRET[8:]}", "a control character"),
        (f"{SECRET[:8]} {SECRET[8:]}", "a space"),
        (f"{SECRET[:8]}\u00e9{SECRET[8:]}", "a non-ASCII character"),
        (f"{SECRET[:8]}\u20ac{SECRET[8:]}", "a non-ASCII character"),
        (f"{SECRET[:8]}\U0001f600{SECRET[8:]}", "a non-ASCII character"),
        (f"{SECRET[:8]}\u2028{SECRET[8:]}", "a non-ASCII character"),
    ],
)
def test_a_token_that_cannot_be_a_header_is_one_line_showing_none_of_it(raw, problem):
    with pytest.raises(AuthenticationError) as caught:
        clean_token(raw, "LABEL_STUDIO_API_KEY", server="labelstudio (labelstudio+http://127.0.0.1:1)")
    message = str(caught.value)
    assert problem in message and "LABEL_STUDIO_API_KEY" in message and "127.0.0.1:1" in message
    assert "\n" not in message and "\r" not in message
    assert_hidden(raw, message + repr(caught.value.args))


def test_a_token_that_is_not_text_is_refused():
    with pytest.raises(AuthenticationError, match="must be text, not bytes"):
        clean_token(SECRET.encode())


# -- redact -------------------------------------------------------------------------------------

TOKENS = [
    SECRET,
    SECRET + "/+=%",
    f"{SECRET}\r\n",
    f"{SECRET[:8]} \\'\"{SECRET[8:]}",
    f"t\u00f6k\u20ac{SECRET}\U0001f600",
    f"{SECRET}\x01\x7f",
]


@pytest.mark.parametrize("token", TOKENS, ids=["plain", "url-chars", "crlf", "quotes", "non-ascii", "control"])
def test_redact_covers_every_form(token):
    for form in forms(token):
        text = f"before {form} after"
        out = redact(text, token)
        assert REDACTED in out, f"{form!r} not redacted"
        assert out.startswith("before ") and out.endswith(" after")
        assert_hidden(token, out)


def test_redact_eats_the_quotes_of_a_repr_and_leaves_the_rest():
    text = f"got {SECRET!r}, {SECRET.encode()!r} and {quote(SECRET + '/', safe='')}"
    assert redact(text, SECRET) == "got ***, *** and ***%2F"
    assert redact("nothing to hide", SECRET) == "nothing to hide"
    assert redact("nothing to hide", None) == redact("nothing to hide", "") == "nothing to hide"


# -- addresses and binding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://127.0.0.1:8000", "supervisely+http://127.0.0.1:8000", True),
        ("HTTP://Example.COM/", "http://example.com:80/api", True),
        ("https://example.com", "https://example.com:443", True),
        ("http://example.com:443", "https://example.com", False),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8001", False),
        ("http://localhost:8000", "http://127.0.0.1:8000", False),
        ("http://[::1]:8000", "http://[::1]:8000/", True),
    ],
)
def test_origins_compare_scheme_host_and_port(a, b, same):
    assert (http_origin(a) == http_origin(b)) is same


@pytest.mark.parametrize("bad", ["127.0.0.1:8000", "ftp://host", "http://", "http://host:99999", ""])
def test_an_origin_needs_an_http_url(bad):
    with pytest.raises(InvalidURL):
        http_origin(bad)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LocalHost", "::ffff:7f00:1"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.2", "ls.example.com", "localhost.example.com", "0.0.0.0"])
def test_other_hosts(host):
    assert not is_loopback(host)


SV = BackendURL.parse("supervisely+http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("home", "required", "fragment"),
    [
        (None, True, "SERVER_ADDRESS is not set"),
        ("", True, "SERVER_ADDRESS is not set"),
        ("http://127.0.0.1:9000", True, "is for SERVER_ADDRESS=http://127.0.0.1:9000"),
        ("https://127.0.0.1:8000", True, "is for SERVER_ADDRESS=https://127.0.0.1:8000"),
        ("http://localhost:8000", True, "is for SERVER_ADDRESS=http://localhost:8000"),
        ("127.0.0.1:8000", True, "not an http(s) URL"),
        ("http://user:pw@other:1", True, "is for SERVER_ADDRESS=http://other:1"),
    ],
)
def test_a_token_from_the_environment_is_refused_for_another_server(home, required, fragment):
    with pytest.raises(AuthenticationError) as caught:
        bound_token(SECRET, "API_TOKEN", SV, home, "SERVER_ADDRESS", server="supervisely (x)", required=required)
    message = str(caught.value)
    assert fragment in message and "pass token= / --token, or set SERVER_ADDRESS=http://127.0.0.1:8000" in message
    assert "\n" not in message and "pw" not in message
    assert_hidden(SECRET, message)


@pytest.mark.parametrize(
    ("home", "required"),
    [("http://127.0.0.1:8000", True), ("HTTP://127.0.0.1:8000/ \r\n", True), (None, False), ("", False)],
)
def test_a_token_from_the_environment_goes_to_its_own_server(home, required):
    assert bound_token(SECRET, "API_TOKEN", SV, home, "SERVER_ADDRESS", server="sv", required=required) == SECRET


def test_default_ports_count_as_given():
    ls = BackendURL.parse("labelstudio://ls.example.com")
    assert bound_token("t", "K", ls, "https://LS.example.com:443/", "U", server="ls", required=True) == "t"
    with pytest.raises(AuthenticationError):
        bound_token("t", "K", ls, "http://ls.example.com", "U", server="ls", required=True)


# -- plain http -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("labelstudio+http://ls.example.com:8080", True),
        ("supervisely+http://10.1.2.3", True),
        ("labelstudio+http://127.0.0.1:8080", False),
        ("supervisely+http://[::1]:8000", False),
        ("labelstudio+http://localhost:8080", False),
        ("labelstudio://ls.example.com", False),
    ],
)
def test_plain_http_beyond_this_machine_warns_in_one_line(url, warns):
    address = BackendURL.parse(url)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert warn_plain_http(address, f"x ({url})") is warns
    assert [w.category for w in seen] == ([PlainHTTPWarning] if warns else [])
    if warns:
        message = str(seen[0].message)
        assert "plain http" in message and "https" in message and "\n" not in message
