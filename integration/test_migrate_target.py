"""A migration writes only where the user meant it, one run at a time, with a ledger bound to it (real servers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

import annobridge
from annobridge.cli import main
from annobridge.errors import Conflict, ValidationError
from annobridge.locks import hold

from .migrate_fixtures import ls, ls_counts, name, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555
LEMONS_NAME = "Lemons (Test)"


@pytest.fixture(autouse=True)
def own_lock_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))


def _sv_images(sv, project_id) -> list[str]:
    return sorted(i.name for i in sv.items.list(project_id=project_id))


def _named(backend, text) -> list:
    return [p for p in backend.projects.list() if p.name == text]


def test_round_trip_without_target_project_makes_new_projects_and_never_touches_the_source(sv, ls, tmp_path):
    images = _sv_images(sv, LEMONS)
    there = annobridge.migrate(sv, ls, project=LEMONS, ledger=tmp_path / "there.sqlite")
    assert there.target_project_name == f"{LEMONS_NAME} (supervisely #{LEMONS})"
    assert there.ledger == str(tmp_path / "there.sqlite")
    assert ls_counts(ls, int(there.target_project))[:2] == (6, 6)

    back = annobridge.migrate(ls, sv, project=there.target_project, ledger=tmp_path / "back.sqlite")
    assert back.target_project != str(LEMONS)
    assert back.target_project_name == f"{there.target_project_name} (labelstudio #{there.target_project})"
    assert _sv_images(sv, LEMONS) == images  # the source project: not one image added or renamed
    assert _sv_images(sv, int(back.target_project)) == images
    table = str(back.to_table().caption)
    assert repr(back.target_project_name) in table and back.target_project in table and "back.sqlite" in table
    sv.projects.delete(int(back.target_project))


def test_a_project_is_never_migrated_into_itself(sv, tmp_path):
    images = _sv_images(sv, LEMONS)
    for target in (LEMONS, LEMONS_NAME):
        with pytest.raises(ValidationError, match="is the source project itself"):
            annobridge.migrate(sv, sv, project=LEMONS, target_project=target, into_existing=True, ledger=tmp_path / "x")
    assert _sv_images(sv, LEMONS) == images and not (tmp_path / "x").exists()


def test_an_existing_project_is_written_into_only_when_asked_and_then_by_source_key(sv, ls, name, tmp_path):
    first = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "a.sqlite")
    target = int(first.target_project)
    with pytest.raises(Conflict, match=rf"{name!r} \(id {target}\) exists .* did not make it .*--into-existing"):
        annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "b.sqlite")
    assert not (tmp_path / "b.sqlite").exists()
    again = annobridge.migrate(
        sv, ls, project=LEMONS, target_project=target, ledger=tmp_path / "b.sqlite", into_existing=True
    )
    assert (again.already_present, again.tally("items").carried) == (6, 0)
    assert ls_counts(ls, target)[:2] == (6, 6)


def test_the_cli_refuses_an_existing_target_in_one_line_with_exit_code_5(
    sv, ls, name, sandbox, labelstudio_server, tmp_path, capsys, monkeypatch
):
    for key, value in _env(sandbox, labelstudio_server).items():
        monkeypatch.setenv(key, value)
    existing = ls.projects.create(name, schema=sv.projects.get_schema(LEMONS))
    args = ["migrate", "supervisely+" + sandbox.server_address, labelstudio_server.backend_url]
    code = main([*args, "--project", str(LEMONS), "--target-project", name, "--ledger", str(tmp_path / "l.sqlite")])
    err = capsys.readouterr().err
    assert code == 5 and len(err.splitlines()) == 1 and "--into-existing" in err
    assert ls_counts(ls, existing.id)[0] == 0 and not (tmp_path / "l.sqlite").exists()


def test_a_rerun_that_contradicts_its_ledger_is_refused_and_the_ledger_kept(sv, ls, name, tmp_path):
    path = tmp_path / "l.sqlite"
    first = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path)
    before = path.read_bytes()
    with pytest.raises(ValidationError, match=rf"ledger {path} writes into {name!r}, not 'elsewhere'"):
        annobridge.migrate(sv, ls, project=LEMONS, target_project="elsewhere", ledger=path)
    with pytest.raises(ValidationError, match="media: ledger .* carries media by 'copy', not 'link'"):
        annobridge.migrate(sv, ls, project=LEMONS, media="link", ledger=path)
    typo = sv.url.replace("127.0.0.1", "localhost")
    with annobridge.connect(typo, token=sv._token) as other:
        with pytest.raises(ValidationError, match="belongs to the migration supervisely.*127.0.0.1.*not .*localhost"):
            annobridge.migrate(other, ls, project=LEMONS, ledger=path)
    assert path.read_bytes() == before and not _named(ls, "elsewhere")
    # its own migration still opens it: by the name, by the id, or by nothing at all
    for target in (name, first.target_project, None):
        again = annobridge.migrate(sv, ls, project=LEMONS, target_project=target, ledger=path)
        assert (again.already_done, again.target_project) == (6, first.target_project)
    assert ls_counts(ls, int(first.target_project))[:2] == (6, 6)


def test_a_run_killed_after_making_the_target_resumes_into_it(sv, ls, name, tmp_path, monkeypatch):
    path = tmp_path / "l.sqlite"

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after the project is made, before the ledger records it

    monkeypatch.setattr(type(ls.transfer), "write", killed)
    with pytest.raises(KeyboardInterrupt):
        annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path)
    monkeypatch.undo()
    (made,) = _named(ls, name)
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path)
    assert report.target_project == str(made.id) and ls_counts(ls, made.id)[:2] == (6, 6)


def test_a_second_run_while_one_holds_the_target_is_refused_and_writes_nothing(sv, ls, name, tmp_path):
    key = f"target {ls.address.canonical} {name}"
    before = len(ls.projects.list())
    with hold(key, "held by the test"):
        with pytest.raises(Conflict, match=rf"target project {name!r} on labelstudio .* is in use by another migration"):
            annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite")
    assert len(ls.projects.list()) == before and not (tmp_path / "l.sqlite").exists()


def _start(source, target, *args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "annobridge.cli", "migrate", source, target, "--json", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(sandbox, labelstudio_server, **extra):
    return {
        **os.environ,
        "API_TOKEN": sandbox.token,
        "SERVER_ADDRESS": sandbox.server_address,
        "LABEL_STUDIO_API_KEY": labelstudio_server.token,
        "LABEL_STUDIO_URL": labelstudio_server.url,
        **extra,
    }


def _backend(kind, sv, ls, sandbox, labelstudio_server):
    """The target of a concurrency test, as a URL and a connected backend: Label Studio, or the sandbox itself."""
    if kind == "labelstudio":
        return labelstudio_server.backend_url, ls
    return "supervisely+" + sandbox.server_address, sv


def _held_once(backend, project_id, sv) -> bool:
    """Whether the project holds every item of the source exactly once (counted on the server, by source key)."""
    keys = backend.transfer.present(project_id)
    return backend.transfer.count(project_id) == 6 and set(keys) == {str(i.id) for i in sv.items.list(project_id=LEMONS)}


@pytest.mark.parametrize("kind", ["labelstudio", "supervisely"])
@pytest.mark.parametrize(
    "machines, shared_ledger", [("one machine", True), ("one machine", False), ("two machines", False)]
)
def test_two_runs_at_once_into_one_new_name_make_one_project_holding_each_item_once(
    sv, ls, sandbox, labelstudio_server, name, tmp_path, shared_ledger, machines, kind
):
    target, backend = _backend(kind, sv, ls, sandbox, labelstudio_server)
    runs = []
    for n in range(2):
        ledger = tmp_path / ("l.sqlite" if shared_ledger else f"l{n}.sqlite")
        locks = tmp_path / ("locks" if machines == "one machine" else f"locks{n}")
        env = _env(sandbox, labelstudio_server, ANNOBRIDGE_LOCK_DIR=str(locks))
        args = ["--project", str(LEMONS), "--target-project", name, "--ledger", str(ledger)]
        runs.append(_start("supervisely+" + sandbox.server_address, target, *args, env=env))
    results = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    assert all(code in (0, 5) for code, _, _ in results), results
    assert any(code == 0 for code, _, _ in results), results
    for code, _, err in results:
        if code == 5:
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    (project,) = _named(backend, name)
    assert _held_once(backend, project.id, sv)


@pytest.mark.parametrize("kind", ["labelstudio", "supervisely"])
def test_two_runs_at_once_into_one_existing_target_write_each_item_once(
    sv, ls, sandbox, labelstudio_server, name, tmp_path, kind
):
    url, backend = _backend(kind, sv, ls, sandbox, labelstudio_server)
    made = annobridge.migrate(sv, backend, project=LEMONS, target_project=name, ledger=tmp_path / "made.sqlite")
    target = made.target_project
    backend.items.delete(list(backend.transfer.present(target).values())[:3])
    env = _env(sandbox, labelstudio_server, ANNOBRIDGE_LOCK_DIR=str(tmp_path / "locks"))
    runs = [
        _start("supervisely+" + sandbox.server_address, url, "--project", str(LEMONS), "--target-project", target,
               "--into-existing", "--ledger", str(tmp_path / f"l{n}.sqlite"), env=env)
        for n in range(2)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert sorted(code for code, _ in results)[0] == 0 and all(code in (0, 5) for code, _ in results), results
    assert _held_once(backend, int(target), sv)


def test_the_report_in_json_names_the_target_and_the_ledger(sv, ls, name, tmp_path):
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite")
    data = json.loads(report.to_json())
    assert data["target_project_name"] == name and data["target_project"] == report.target_project
    assert data["ledger"] == str(tmp_path / "l.sqlite")


def test_a_name_the_target_cannot_keep_is_refused_in_the_dry_run_too(sv, ls, tmp_path):
    before = len(ls.projects.list())
    for dry_run in (True, False):
        with pytest.raises(ValidationError, match="project name: .* characters; projects on labelstudio .* keep at most"):
            annobridge.migrate(sv, ls, project=LEMONS, target_project="x" * 300, ledger=tmp_path / "l", dry_run=dry_run)
    assert len(ls.projects.list()) == before and not (tmp_path / "l").exists()


def test_the_default_name_fits_the_target(sv, ls, tmp_path):
    from annobridge.migration_target import default_target_name
    from annobridge.models import Project

    limit = ls.projects.name_limit
    long = Project(id=12345, name="A very long Supervisely project name " * 4)
    made = default_target_name(sv, long, limit)
    assert made.endswith("(supervisely #12345)") and (limit is None or len(made) <= limit)
    assert ls.projects.check_name(made) == made


def test_a_run_that_loses_the_race_to_create_the_name_removes_its_project_and_writes_nothing(
    sv, ls, name, tmp_path, monkeypatch
):
    create = type(ls.projects).create
    other = {}

    def raced(self, project_name, *args, **kwargs):  # another machine makes the same name just before this run
        other["project"] = create(self, project_name, schema=kwargs.get("schema"))  # without this run's marker
        return create(self, project_name, *args, **kwargs)

    monkeypatch.setattr(type(ls.projects), "create", raced)
    with pytest.raises(Conflict, match=rf"another run made {name!r} \(id \d+\) .* removed what it made"):
        annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite")
    assert [p.id for p in _named(ls, name)] == [other["project"].id]
    assert ls_counts(ls, other["project"].id)[0] == 0
    assert not (tmp_path / "l.sqlite").exists()  # a rerun must not take the other run's project for its own


def test_a_run_that_made_its_project_twice_keeps_the_older_and_removes_the_other(sv, ls, name, tmp_path, monkeypatch):
    create = type(ls.projects).create

    def twice(self, *args, **kwargs):  # a create whose first answer was lost, seen only afterwards
        create(self, *args, **kwargs)
        return create(self, *args, **kwargs)

    monkeypatch.setattr(type(ls.projects), "create", twice)
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite")
    (kept,) = _named(ls, name)
    assert report.target_project == str(kept.id) and ls_counts(ls, kept.id)[:2] == (6, 6)
