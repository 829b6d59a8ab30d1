"""Running the sandbox: state in a file across restarts, serve()'s env lines, the CLI, the Python lifecycle helpers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
import typer
from typer.testing import CliRunner

from annobridge_sandbox_supervisely import DEFAULT_TOKEN, create_app, lifecycle, running_sandbox
from annobridge_sandbox_supervisely.cli import register


def test_state_survives_a_restart_on_the_same_file(tmp_path, make_api):
    db = str(tmp_path / "sandbox.sqlite")
    with running_sandbox(db_path=db, token="first-token") as sb:
        api = make_api(sb)
        user = api.user.create(login="kept", password="kept1234")
        api.user.add_to_team(user.id, 8, 3)
        job = api.labeling_job.create(name="kept job", dataset_id=10555, user_ids=[user.id])[0]
    with running_sandbox(db_path=db, token="second-token") as sb:
        api = make_api(sb)
        assert api.labeling_job.get_info_by_id(job.id).name == "kept job"
        assert len(api.image.get_list(10555)) == 6  # seeded once, not twice
        with pytest.raises(requests.exceptions.HTTPError, match="401"):
            make_api(sb, token="first-token").user.get_my_info()  # tokens are not stored with the data
    assert "first-token" not in open(db, "rb").read().decode("latin-1")


def test_an_unseeded_app_has_only_roles_and_the_admin():
    from starlette.testclient import TestClient

    client = TestClient(create_app(seed=False))
    headers = {"x-api-key": DEFAULT_TOKEN}
    assert client.post("/public/api/v3/teams.list", json={}, headers=headers).json()["total"] == 0
    assert [u["login"] for u in client.post("/public/api/v3/users.list", json={}, headers=headers).json()["entities"]] == ["admin"]
    with pytest.raises(ValueError):
        create_app(token="")


def test_serve_prints_the_env_lines_and_logs_no_token(tmp_path):
    token = "serve-test-token-0123456789"
    code = f"from annobridge_sandbox_supervisely import serve; serve(port=0, token={token!r})"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address_line = process.stdout.readline().strip()
        token_line = process.stdout.readline().strip()
        assert address_line.startswith("SERVER_ADDRESS=http://127.0.0.1:")
        assert token_line == f"API_TOKEN={token}"
        address = address_line.split("=", 1)[1]
        for _ in range(300):  # the port is bound before the lines are printed; the app listens a moment later
            try:
                answer = requests.post(f"{address}/public/api/v3/users.me", json={}, headers={"x-api-key": token})
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert answer.json()["login"] == "admin"
    finally:
        os.kill(process.pid, signal.SIGINT)
        output, errors = process.communicate(timeout=15)
    assert process.returncode == 0 and "Traceback" not in errors  # Ctrl+C ends it quietly
    logs = output + errors
    assert "POST /public/api/v3/users.me" in logs  # the access log is there...
    assert token not in logs  # ...without the token


def _cli():
    app = typer.Typer()
    sandbox_app = typer.Typer()
    app.add_typer(sandbox_app, name="sandbox")
    register(sandbox_app)
    return app


def test_cli_plays_the_labeler_and_reviewer(api, sandbox, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="cli", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    runner, app = CliRunner(), _cli()
    common = ["--server", sandbox.server_address, "--token", sandbox.token]
    assert "supervisely" in runner.invoke(app, ["sandbox", "--help"]).output
    for args in (["start", str(job.id)], ["submit", str(job.id)],
                 ["review", str(job.id), str(job.entities[0]["id"]), "rejected"], ["complete", str(job.id)]):
        result = runner.invoke(app, ["sandbox", "supervisely", *args, *common])
        assert result.exit_code == 0, result.output
    info = api.labeling_job.get_info_by_id(job.id)
    assert info.status == "completed" and info.rejected_images_count == 1
    result = runner.invoke(app, ["sandbox", "supervisely", "start", str(job.id), *common])
    assert result.exit_code == 2 and "completed" in result.output


def test_python_lifecycle_helpers_act_on_the_store(api, sandbox, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="py", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    lifecycle.start(sandbox.store, job.id)
    lifecycle.submit(sandbox.store, job.id)
    lifecycle.review(sandbox.store, job.id, job.entities[0]["id"], "accepted")
    lifecycle.complete(sandbox.store, job.id)
    info = api.labeling_job.get_info_by_id(job.id)
    assert (info.status, info.accepted_images_count) == ("completed", 1)


def test_the_env_lines_are_all_the_sdk_needs(sandbox, monkeypatch):
    import supervisely as sly

    monkeypatch.setenv("SERVER_ADDRESS", sandbox.server_address)
    monkeypatch.setenv("API_TOKEN", sandbox.token)
    api = sly.Api.from_env(ignore_task_id=True)
    assert api.project.get_info_by_id(5555).name == "Lemons (Test)"


def test_module_examples_hold(capsys):
    from annobridge.testing.doctests import modules_with_examples, run_examples

    names = modules_with_examples("annobridge_sandbox_supervisely")
    for name in names:
        assert run_examples(name).failed == 0, capsys.readouterr().out
    ran = {name.rpartition(".")[2] for name in names}
    assert {"app", "errors", "jobs", "paging", "projects", "server", "sql_paging", "store"} <= ran
