"""examples/pipeline.sh runs unchanged on the sandbox and the real Label Studio server; the servers' state afterwards
shows what it did and that it removed what it made."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import annobridge

from .cli_fixtures import ls_shell, sv_shell  # noqa: F401

PIPELINE = Path(__file__).resolve().parents[1] / "examples" / "pipeline.sh"


def _run(shell, out: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("ANNOBRIDGE_BACKEND", "LABEL_STUDIO_API_KEY", "API_TOKEN")}
    settings = {**clean, "ANNOBRIDGE_TOKEN": shell.token, "PYTHON": sys.executable, "OUT": str(out), "COLUMNS": "160",
                "ANNOBRIDGE_CONFIG_DIR": shell.env["ANNOBRIDGE_CONFIG_DIR"], **env}
    return subprocess.run(["bash", str(PIPELINE), shell.url], capture_output=True, text=True, env=settings, timeout=900)


def _made(stdout: str) -> tuple[int, list[int]]:
    found = re.search(r"== Done: project (\d+), jobs ([\d ]+) on ", stdout)
    assert found, stdout
    return int(found.group(1)), [int(j) for j in found.group(2).split()]


def _skipped(stdout: str) -> set[str]:
    return set(re.findall(r"skipped: (\w+) is not supported", stdout))


def _gone(shell, project: int, jobs: list[int]) -> None:
    with annobridge.connect(shell.url, token=shell.token) as b:
        assert project not in {p.id for p in b.projects.list()}
        for job in jobs:
            with pytest.raises(annobridge.NotFound):
                b.jobs.get(job)
        assert {"labeler_1", "labeler_2"} <= {u.login for u in b.users.list()}  # the labelers stay


def _model_lines(out: Path) -> list[annobridge.ItemAnnotation]:
    rows = [annobridge.ItemAnnotation(**json.loads(line)) for line in (out / "model.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    assert {o.origin.value for r in rows for o in r.objects} == {"model"}
    assert {o.class_name for r in rows for o in r.objects} == {"lemon"}
    return rows


def test_pipeline_on_supervisely(sv_shell, tmp_path):
    done = _run(sv_shell, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    project, jobs = _made(done.stdout)
    assert len(jobs) == 2
    assert _skipped(done.stdout) == {"predictions", "export_snapshots"}
    assert f"job {jobs[1]} is stopped" in done.stdout and f"archived job {jobs[0]}" in done.stdout
    _gone(sv_shell, project, jobs)
    with annobridge.connect(sv_shell.url, token=sv_shell.token) as b:
        assert {b.users.member_role(b.users.get(login).id) for login in ("labeler_1", "labeler_2")} == {"annotator"}

    boxes = sum(len(r.objects) for r in _model_lines(tmp_path))
    labels = [annobridge.ItemAnnotation(**json.loads(line)) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert sum(len(a.objects) for a in labels) == boxes and {o.origin.value for a in labels for o in a.objects} == {"model"}
    export, = (tmp_path / "exports").iterdir()
    items = json.loads(export.read_text())["items"]
    assert len(items) == 6
    drawn = [o for i in items for o in (i["annotation"] or {}).get("objects", [])]
    assert len(drawn) == boxes and {o["classTitle"] for o in drawn} == {"lemon"}


def test_pipeline_on_label_studio(ls_shell, tmp_path):
    with annobridge.connect(ls_shell.url, token=ls_shell.token) as b:
        try:  # labeler_1 is there before the run (as on a second run), labeler_2 may or may not be
            b.users.create("labeler_1", password="Labeler-Passw0rd-1", email="labeler_1@example.com")
        except annobridge.Conflict:
            pass  # another test made it on this session's server
    done = _run(ls_shell, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    project, jobs = _made(done.stdout)
    assert len(jobs) == 2
    assert _skipped(done.stdout) == {"members", "assignments", "job_limits", "job_status_control", "job_archive"}
    _gone(ls_shell, project, jobs)

    _model_lines(tmp_path)
    assert (tmp_path / "labels.jsonl").read_text() == ""  # predictions stay apart from people's labels
    export, = (tmp_path / "exports").iterdir()
    tasks = json.loads(export.read_text())
    assert len(tasks) == 6 and all(t["predictions"] for t in tasks)
    snapshot, = (tmp_path / "snapshots").iterdir()
    assert len(json.loads(snapshot.read_text())) == 6
    assert "labeler_1 is there already" in done.stdout  # a run that finds a labeler made before goes on


def test_a_failed_step_still_removes_what_was_made(sv_shell, tmp_path):
    done = _run(sv_shell, tmp_path, PYTHON="false", ANNOBRIDGE=f"{sys.executable} -m annobridge.cli")
    assert done.returncode != 0
    assert "== Clean up what the pipeline made" in done.stdout
    project = int(re.search(r"project (\d+)\n", done.stdout).group(1))
    jobs = [int(j) for j in re.search(r"jobs (\d+) and (\d+)", done.stdout).groups()]
    _gone(sv_shell, project, jobs)


def test_without_a_token_it_says_so_and_makes_nothing(sv_shell, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ANNOBRIDGE_TOKEN"}
    done = subprocess.run(["bash", str(PIPELINE), sv_shell.url], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode != 0 and "ANNOBRIDGE_TOKEN" in done.stderr and done.stdout == ""
