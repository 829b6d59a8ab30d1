"""`annobridge migrate` on the command line: tokens from the vendors' variables, a table or JSON, one-line errors."""

from __future__ import annotations

import json
import re

import pytest

from annobridge.cli import main

from .migrate_fixtures import ls, ls_counts, name, sandbox  # noqa: F401 - fixtures


@pytest.fixture
def urls(sandbox, labelstudio_server, monkeypatch):
    monkeypatch.setenv("API_TOKEN", sandbox.token)
    monkeypatch.setenv("SERVER_ADDRESS", sandbox.server_address)  # an environment token goes only to its server
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", labelstudio_server.token)
    monkeypatch.setenv("LABEL_STUDIO_URL", labelstudio_server.url)
    return "supervisely+" + sandbox.server_address, labelstudio_server.backend_url


def test_json_report(urls, ls, name, tmp_path, capsys, sandbox, labelstudio_server):
    code = main(
        [
            "migrate",
            *urls,
            "--project",
            "Lemons (Test)",
            "--target-project",
            name,
            "--ledger",
            str(tmp_path / "l.sqlite"),
            "--batch-size",
            "4",
            "--retries",
            "1",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["items"]["carried"] == 6 and report["counts"]["objects"]["carried"] == 17
    assert ls_counts(ls, int(report["target_project"]))[:2] == (6, 6)
    assert sandbox.token not in out and labelstudio_server.token not in out


def test_dry_run_prints_the_plan_as_a_table(urls, ls, name, tmp_path, capsys):
    before = len(ls.projects.list())
    code = main(
        [
            "migrate",
            *urls,
            "--project",
            "5555",
            "--target-project",
            name,
            "--dry-run",
            "--ledger",
            str(tmp_path / "l.sqlite"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Planned migration" in out and "users unmapped: admin" in out
    assert "object timestamps -> kept for the way back" in re.sub(r"[│\s]+", " ", out), out  # cells wrap
    assert len(ls.projects.list()) == before


def test_bad_input_is_one_line_and_exit_code_2(urls, tmp_path, capsys):
    code = main(["migrate", *urls, "--project", "5555", "--media", "move", "--ledger", str(tmp_path / "l.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "annobridge: error: media: expected one of ['copy', 'link'], got 'move'"


def test_bad_retries_is_one_line_and_exit_code_2_before_anything_is_made(urls, ls, tmp_path, capsys):
    before = len(ls.projects.list())
    ledger = tmp_path / "l.sqlite"
    code = main(["migrate", *urls, "--project", "5555", "--retries", "-1", "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "annobridge: error: retries: expected 0 or a positive integer, got -1"
    assert len(ls.projects.list()) == before and not ledger.exists()


def test_each_side_takes_its_own_token_option(sandbox, labelstudio_server, ls, name, tmp_path, capsys, monkeypatch):
    for variable in ("API_TOKEN", "SERVER_ADDRESS", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/supervisely.env either
    args = ["migrate", "supervisely+" + sandbox.server_address, labelstudio_server.backend_url, "--project", "5555"]
    args += ["--target-project", name, "--ledger", str(tmp_path / "l.sqlite"), "--json"]
    assert main(args) == 4  # no token anywhere: an authentication error in one line
    assert len(capsys.readouterr().err.splitlines()) == 1
    tokens = ["--source-token", sandbox.token + "\r\n", "--target-token", labelstudio_server.token]
    assert main([*args, *tokens]) == 0
    out = capsys.readouterr().out
    assert ls_counts(ls, int(json.loads(out)["target_project"]))[:2] == (6, 6)
    assert sandbox.token not in out and labelstudio_server.token not in out


@pytest.mark.parametrize("kind", ["random bytes", "text", "directory", "missing directory"])
def test_a_ledger_that_is_not_one_is_one_line_and_exit_code_2(urls, ls, tmp_path, capsys, kind):
    import os

    path = tmp_path / "missing" / "l.sqlite" if kind == "missing directory" else tmp_path / "l.sqlite"
    if kind == "random bytes":
        path.write_bytes(os.urandom(2048))
    elif kind == "text":
        path.write_text("source,target\n")
    elif kind == "directory":
        path.mkdir()
    before = path.read_bytes() if path.is_file() else None
    projects = len(ls.projects.list())
    code = main(["migrate", *urls, "--project", "5555", "--ledger", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("annobridge: error: ledger")
    assert "Traceback" not in err and len(ls.projects.list()) == projects
    assert (path.read_bytes() if path.is_file() else None) == before


def test_named_backends_and_token_variables_per_side(sandbox, labelstudio_server, ls, name, tmp_path, capsys,
                                                      monkeypatch):
    for variable in ("API_TOKEN", "SERVER_ADDRESS", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ANNOBRIDGE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SV_SECRET", sandbox.token)
    monkeypatch.setenv("LS_SECRET", labelstudio_server.token)
    assert main(["backends", "add", "sv", "supervisely+" + sandbox.server_address, "--token-env", "SV_SECRET"]) == 0
    assert main(["backends", "add", "ls", labelstudio_server.backend_url]) == 0  # its token given per run
    capsys.readouterr()
    args = ["migrate", "sv", "ls", "--project", "5555", "--target-project", name, "--target-token-env", "LS_SECRET"]
    assert main([*args, "--ledger", str(tmp_path / "l.sqlite"), "--json"]) == 0
    out = capsys.readouterr().out
    assert ls_counts(ls, int(json.loads(out)["target_project"]))[:2] == (6, 6)
    stored = (tmp_path / "config" / "backends.json").read_text()
    assert sandbox.token not in stored and labelstudio_server.token not in stored
    assert main(["migrate", "sv", "nowhere", "--project", "5555"]) == 2
    assert "'nowhere' is not a URL nor a named backend; named: ls, sv" in capsys.readouterr().err
