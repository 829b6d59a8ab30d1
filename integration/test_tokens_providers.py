"""Tokens through the providers: a warning for plain http beyond this machine from connect(), and `annobridge migrate`
on the command line with bad tokens against capture servers (annobridge.testing.capture): one line, nothing sent.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from annobridge.cli import main
from annobridge.errors import AuthenticationError, exit_code
from annobridge.testing.capture import Capture, assert_hidden
from annobridge.tokens import PlainHTTPWarning

SECRET = "Zq9xK7mWv2Lp4Rt8"  # distinctive: any four characters of it in a message would be a leak


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
