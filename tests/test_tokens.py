"""Tokens: stripped where they enter, refused in one line when they cannot be a header, redacted in every form,
sent only to the server they belong with, and a warning for plain http beyond this machine.

The plugins' test_token_hosts.py send to a capture server through each vendor SDK; here is `annobridge migrate`
on the command line with bad tokens against capture servers (both from annobridge.testing.capture).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from urllib.parse import quote

import pytest

from annobridge.cli import main
from annobridge.errors import AuthenticationError, InvalidURL, exit_code
from annobridge.testing.capture import Capture, assert_hidden, forms
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


@pytest.mark.parametrize("url", ["labelstudio+http://ls.example.com:8080", "supervisely+http://sv.example.com"])
def test_connecting_with_a_token_over_plain_http_warns_from_the_provider_not_the_caller(url, vendor_env):
    import annobridge

    with pytest.warns(PlainHTTPWarning) as seen:
        annobridge.connect(url, token=SECRET).close()
    (warned,) = [w for w in seen if w.category is PlainHTTPWarning]
    assert_hidden(SECRET, str(warned.message))


def test_the_plain_http_warning_is_one_line_on_stderr_and_never_the_callers_source_line(tmp_path):
    script = tmp_path / "user.py"
    script.write_text(
        "import annobridge\n"
        f"annobridge.connect('labelstudio+http://ls.example.com:8080', token='{SECRET}').close()\n"
        f"annobridge.connect('labelstudio+http://ls.example.com:8080', token='{SECRET}').close()\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONWARNINGS": ""}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr.count("\n") == 1  # once for the same server, and no second line quoting the caller
    assert "PlainHTTPWarning: labelstudio (labelstudio+http://ls.example.com:8080) is reached" in done.stderr
    assert_hidden(SECRET, done.stderr)


# -- the command line -----------------------------------------------------------------------------


@pytest.fixture
def vendor_env(monkeypatch, tmp_path):
    """No vendor variables and a HOME of the test's own, so no ~/supervisely.env of the user's can leak in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("API_TOKEN", "SERVER_ADDRESS", "TEAM_ID", "WORKSPACE_ID", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


BAD = {
    "crlf inside": f"{SECRET[:8]}\r\n{SECRET[8:]}",
    "non-ascii": f"{SECRET[:8]}\u00e9\u20ac{SECRET[8:]}",
    "empty": "  \r\n",
}


@pytest.mark.parametrize("side", ["source", "target"])
@pytest.mark.parametrize("kind", list(BAD))
def test_migrate_with_a_bad_token_is_one_line_and_sends_nothing(vendor_env, capsys, side, kind):
    bad, good = BAD[kind], SECRET
    with Capture() as sv, Capture() as ls:
        vendor_env.setenv("SERVER_ADDRESS", sv.url)
        vendor_env.setenv("API_TOKEN", bad if side == "source" else good)
        vendor_env.setenv("LABEL_STUDIO_API_KEY", bad if side == "target" else good)
        code = main(["migrate", "supervisely+" + sv.url, "labelstudio+" + ls.url, "--project", "1"])
        assert (sv.seen, ls.seen) == ([], [])
    out, err = capsys.readouterr()
    assert code == exit_code(AuthenticationError("x"))
    assert err.count("\n") == 1 and err.startswith("annobridge: error: ") and "Traceback" not in err
    assert ("API_TOKEN" if side == "source" else "LABEL_STUDIO_API_KEY") in err
    assert_hidden(bad, out + err)


@pytest.mark.parametrize("server_address", [None, "http://127.0.0.1:9", "https://{host}"])
def test_migrate_with_a_supervisely_token_for_another_server_sends_nothing(vendor_env, capsys, server_address):
    with Capture() as sv, Capture() as ls:
        if server_address:
            vendor_env.setenv("SERVER_ADDRESS", server_address.format(host=sv.url.split("://")[1]))
        vendor_env.setenv("API_TOKEN", SECRET)
        vendor_env.setenv("LABEL_STUDIO_API_KEY", SECRET[::-1])
        code = main(["migrate", "supervisely+" + sv.url, "labelstudio+" + ls.url, "--project", "1"])
        assert (sv.seen, ls.seen) == ([], [])
    out, err = capsys.readouterr()
    assert code == exit_code(AuthenticationError("x"))
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "SERVER_ADDRESS" in err and "--token" in err
    assert_hidden(SECRET, out + err)
    assert_hidden(SECRET[::-1], out + err)


def test_migrate_with_a_label_studio_key_for_another_server_sends_nothing(vendor_env, capsys):
    with Capture() as sv, Capture() as ls:
        vendor_env.setenv("SERVER_ADDRESS", sv.url)
        vendor_env.setenv("API_TOKEN", SECRET)
        vendor_env.setenv("LABEL_STUDIO_API_KEY", SECRET[::-1])
        vendor_env.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
        code = main(["migrate", "supervisely+" + sv.url, "labelstudio+" + ls.url, "--project", "1"])
        assert (sv.seen, ls.seen) == ([], [])
    out, err = capsys.readouterr()
    assert code == exit_code(AuthenticationError("x")) and err.count("\n") == 1 and "Traceback" not in err
    assert "LABEL_STUDIO_URL=http://127.0.0.1:9" in err
    assert_hidden(SECRET[::-1], out + err)
