"""`annobridge exports create|list|download` on the sandbox and the real Label Studio server; in this process (Local),
and through the console entry point once."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

import annobridge
from annobridge import Capability, JobSpec, LabelSchema, ObjectClass

from .cli_fixtures import cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

PHOTOS = sorted((Path(__file__).resolve().parents[1] / "examples" / "data" / "lemons").glob("*.jpeg"))[:2]


@contextmanager
def _job(sh):
    """A job over a fresh project of two photos, removed afterwards."""
    with annobridge.connect(sh.url, token=sh.token) as b:
        project = b.projects.create(f"cli exports {uuid.uuid4().hex[:6]}",
                                    LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle")]))
        b.items.add(project.id, PHOTOS)
        people = [b.users.me().id] if b.supports(Capability.ASSIGNMENTS) else []
        made = b.jobs.create(JobSpec(name="cli exports job", project_id=project.id, annotators=people))[0]
    yield made.id
    with annobridge.connect(sh.url, token=sh.token) as b:
        b.jobs.delete(made.id)
        b.projects.delete(project.id)


@pytest.fixture(scope="module")
def job(cli):
    with _job(cli) as made:
        yield made


@pytest.fixture(scope="module")
def ls_job(ls_cli):
    with _job(ls_cli) as made:
        yield made


@pytest.fixture(scope="module")
def sv_job(sv_cli):
    with _job(sv_cli) as made:
        yield made


def _items(path: Path) -> list:
    document = json.loads(path.read_text())
    return document["items"] if isinstance(document, dict) else document


def test_create_with_to_builds_downloads_and_prints_the_path(cli, job, tmp_path):
    done = cli.run("exports", "create", str(job), "--to", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.parent == tmp_path / "out" and len(_items(path)) == 2


def test_create_json_shape(cli, job, tmp_path):
    data = cli.json("exports", "create", str(job), "--to", str(tmp_path), "--title", "cli export")
    assert set(data) >= {"id", "job_id", "status", "format", "path"}
    assert (str(data["job_id"]), data["status"], data["format"], data["title"]) == (str(job), "completed", "JSON",
                                                                                    "cli export")
    assert Path(data["path"]).is_file()


def test_create_then_download_where_snapshots_are_kept(ls_cli, ls_job, tmp_path):
    job = ls_job
    made = ls_cli.run("exports", "create", str(job), "--wait")
    assert made.returncode == 0, made.stderr
    export_id = made.stdout.strip()
    assert export_id.isdigit()

    listed = ls_cli.json("exports", "list", str(job))
    assert export_id in [str(e["id"]) for e in listed]
    assert {"id", "job_id", "status", "format"} <= set(listed[0])
    table = ls_cli.run("exports", "list", str(job))
    assert table.returncode == 0 and "completed" in table.stdout and export_id in table.stdout
    lines = ls_cli.run("exports", "list", str(job), "--jsonl")
    assert export_id in [str(json.loads(line)["id"]) for line in lines.stdout.splitlines()]

    done = ls_cli.run("exports", "download", str(job), export_id, "--to", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert len(_items(Path(done.stdout.strip()))) == 2

    missing = ls_cli.run("exports", "download", str(job), "987654", "--to", str(tmp_path))
    assert missing.returncode == 3, missing.stderr


def test_supervisely_keeps_no_snapshots_exit_6_with_the_way_round(sv_cli, sv_job, tmp_path):
    job = sv_job
    listed = sv_cli.run("exports", "list", str(job))
    assert listed.returncode == 6
    assert "export_snapshots is not supported by supervisely" in listed.stderr and "built on the client" in listed.stderr

    made = sv_cli.run("exports", "create", str(job))
    assert made.returncode == 0, made.stderr
    later = sv_cli.run("exports", "download", str(job), made.stdout.strip(), "--to", str(tmp_path))
    assert later.returncode == 6
    assert f"exports create {job} --to DIR" in later.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_input_exits_2_before_anything_is_written(cli, job, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for args, message in [
        (["create", str(job), "--to", str(a_file)], "is a file"),
        (["create", str(job), "--timeout", "0"], "--timeout"),
        (["download", str(job), "1", "--to", str(a_file / "under")], "is a file"),
    ]:
        done = cli.run("exports", *args)
        assert (done.returncode, message in done.stderr) == (2, True), (args, done.stderr)
    assert a_file.read_text() == "x"


def test_supervisely_refuses_a_format_it_cannot_build(sv_shell, sv_job):
    """Through the console entry point (a fresh process): the exit code the process ends with."""
    job = sv_job
    done = sv_shell.run("exports", "create", str(job), "--format", "YOLO")
    assert done.returncode == 2 and "format" in done.stderr
