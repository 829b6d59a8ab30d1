"""Every example runs against both backends: the Supervisely sandbox and the real Label Studio server.

The assertions are on what each run returns and on the servers' state afterwards, not only on
the absence of an exception.
"""

from __future__ import annotations

import json
import socket
import sys
import uuid
from pathlib import Path

import pytest

import annobridge

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))

import demo  # noqa: E402
import fruit_model  # noqa: E402
import labeling_jobs_tutorial  # noqa: E402
import lemons  # noqa: E402
import migrate_project  # noqa: E402
import prelabel_review_export  # noqa: E402

COMMUNITY_SKIPS = {"members", "assignments", "job_status_control", "job_archive", "job_limits"}


@pytest.fixture
def sandbox():
    """A fresh Supervisely sandbox of the test's own (the examples create users and projects in it)."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def sv(sandbox):
    return "supervisely+" + sandbox.server_address, sandbox.token


@pytest.fixture(scope="module")
def ls(labelstudio_server):
    return labelstudio_server.backend_url, labelstudio_server.token


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


# ------------------------------------------------------------------ the model


def test_fruit_model_finds_every_drawn_fruit():
    from annobridge_sandbox_supervisely.seed import PHOTOS

    drawn = {name: sorted(kinds) for name, _w, _h, kinds in PHOTOS}
    for path in lemons.photos():
        found = fruit_model.detect(path)
        assert sorted(o.class_name for o in found.objects) == drawn[path.name], path.name
        assert all(o.origin.value == "model" for o in found.objects)
        for obj in found.objects:
            left, top, right, bottom = obj.shape.bounds()
            assert 0 <= left < right <= found.width and 0 <= top < bottom <= found.height


# ------------------------------------------------------------------ the tutorial


def test_tutorial_on_supervisely_runs_every_step(sv, sandbox):
    done = labeling_jobs_tutorial.run(*sv)

    assert done["backend"] == "supervisely" and done["skipped"] == {}
    assert done["prepared"] == [] and done["project_id"] == 5555 and done["items"] == 6
    assert done["roles"] == {"labeler_1": "annotator", "labeler_2": "annotator"}
    first, second = done["jobs"]["labeler1_lemons_task"], done["jobs"]["labeler2_kiwi_task_with_complex_settings"]
    assert first == {
        "items": 6,
        "classes": ["lemon"],
        "tags": [],
        "objects_limit": None,
        "tags_limit": None,
        "assignees": ["labeler_1"],
    }
    assert second == {
        "items": 3,
        "classes": ["kiwi"],
        "tags": ["size", "origin"],
        "objects_limit": 10,
        "tags_limit": 20,
        "assignees": ["labeler_2"],
    }
    assert done["assigned_to_labeler_2"] == ["labeler2_kiwi_task_with_complex_settings"]
    assert done["statuses"] == {
        "labeler1_lemons_task": "stopped",
        "labeler2_kiwi_task_with_complex_settings": "pending",
    }
    assert done["waited_for"] == "completed" and done["archived"] == ["labeler1_lemons_task"]
    assert done["jobs_removed"] == 2 and done["jobs_left"] == []
    # the server saw each step once, through the SDK's own methods (it removes one job with jobs.bulk.remove too)
    assert sandbox.calls["jobs.add"] == 2 and sandbox.calls["jobs.bulk.remove"] == 2
    for method in ("jobs.stop", "jobs.set-status", "jobs.archive"):
        assert sandbox.calls[method] == 1, method
    with annobridge.connect(*sv) as backend:
        for job_id in done["job_ids"]:
            with pytest.raises(annobridge.NotFound):
                backend.jobs.get(job_id)
        assert backend.users.member_role(backend.users.get("labeler_2").id) == "annotator"


def test_tutorial_on_label_studio_seeds_the_project_and_says_what_it_skipped(ls):
    project = _name("Lemons")
    done = labeling_jobs_tutorial.run(*ls, project_name=project)

    assert done["backend"] == "labelstudio"
    assert set(done["skipped"]) == COMMUNITY_SKIPS
    assert "needs Label Studio Enterprise" in done["skipped"]["assignments"]
    assert done["prepared"] == ["created project", "added 6 photos"] and done["items"] == 6
    assert done["classes"] == ["kiwi", "lemon"] and done["tags"] == ["origin", "size"]
    second = done["jobs"]["labeler2_kiwi_task_with_complex_settings"]
    assert second["items"] == 3 and second["classes"] == ["kiwi"] and second["tags"] == ["size", "origin"]
    assert second["objects_limit"] is None and second["tags_limit"] is None and second["assignees"] == []
    assert "no limit of objects or tags per task" in done["skipped"]["job_limits"]
    assert done["jobs"]["labeler1_lemons_task"]["items"] == 6
    assert (
        done["listed"] == done["created_by_me"] == ["labeler1_lemons_task", "labeler2_kiwi_task_with_complex_settings"]
    )
    assert done["statuses"] == {
        "labeler1_lemons_task": "pending",
        "labeler2_kiwi_task_with_complex_settings": "pending",
    }
    assert done["waited_for"] == "pending" and done["archived"] == [] and done["jobs_left"] == []
    with annobridge.connect(*ls) as backend:
        names = {p.name: p for p in backend.projects.list()}
        assert names[project].items_count == 6
        assert backend.projects.get_schema(names[project].id) == lemons.SCHEMA
        for job_id in done["job_ids"]:
            with pytest.raises(annobridge.NotFound):
                backend.jobs.get(job_id)
        assert {"labeler_1", "labeler_2"} <= {u.login.split("@")[0] for u in backend.users.list() if u.login}

    again = labeling_jobs_tutorial.run(*ls, project_name=project)  # the project is there now: nothing re-seeded
    assert again["prepared"] == [] and again["project_id"] == done["project_id"] and again["items"] == 6


@pytest.mark.parametrize(
    "main, argv",
    [
        (labeling_jobs_tutorial.main, ["ftp://127.0.0.1:1", "--token", "x"]),
        (prelabel_review_export.main, ["ftp://127.0.0.1:1", "--token", "x"]),
        (migrate_project.main, ["ftp://127.0.0.1:1", "labelstudio+http://127.0.0.1:1", "--sv-token", "x"]),
    ],
)
def test_example_command_lines_report_a_bad_url_in_one_line(main, argv, capsys):
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert out.startswith("error: ") and "ftp" in out and len(out.strip().splitlines()) == 1


# ------------------------------------------------------------------ pre-labeling, review, export


def _export_objects(path: str) -> int:
    document = json.loads(Path(path).read_text())
    if isinstance(document, dict):  # Supervisely: client-built job export
        return sum(len((row["annotation"] or {}).get("objects", [])) for row in document["items"])
    return sum(len(a["result"]) for task in document for a in task["annotations"])  # Label Studio JSON


def test_prelabel_review_export_on_supervisely(sv, tmp_path):
    done = prelabel_review_export.run(*sv, tmp_path, stand_ins=True, timeout=30)

    assert done["skipped"] == {} and done["items"] == 6 and done["predicted_objects"] == 17
    assert done["statuses"] == ["on_review", "completed"]
    assert done["verdicts"] == {"accepted": 6}
    assert [p.split(":")[0] for p in done["people"]] == ["labeler", "reviewer"]
    assert Path(done["export"]["path"]).parent == tmp_path and done["export"]["items"] == 6
    assert _export_objects(done["export"]["path"]) == 17
    with annobridge.connect(*sv) as backend:
        job = backend.jobs.get(done["job_id"])
        assert job.status.value == "completed" and job.accepted_items_count == 6
        assert [u.login for u in job.assignees] == ["fruit_labeler"] and [u.login for u in job.reviewers] == [
            "fruit_reviewer"
        ]
        labels = list(backend.annotations.list(job_id=job.id))  # the model's boxes, read back through the neutral API
        assert sum(len(a.objects) for a in labels) == 17
        assert {o.origin for a in labels for o in a.objects} == {annobridge.ObjectOrigin.MODEL}


def test_prelabel_review_export_on_label_studio(ls, tmp_path, monkeypatch):
    monkeypatch.setattr(prelabel_review_export, "PROJECT", _name("Fruit"))
    done = prelabel_review_export.run(*ls, tmp_path, stand_ins=True, timeout=30)

    assert set(done["skipped"]) == {"assignments", "reviews"}
    assert "needs Label Studio Enterprise" in done["skipped"]["reviews"]
    assert done["items"] == 6 and done["predicted_objects"] == 17
    assert done["statuses"] == ["completed"] and "verdicts" not in done
    assert done["export"]["items"] == 6 and _export_objects(done["export"]["path"]) == 17
    with annobridge.connect(*ls) as backend:
        predictions = list(backend.predictions.list(job_id=done["job_id"]))
        assert len(predictions) == 6 and {p.model_version for p in predictions} == {fruit_model.VERSION}
        assert sum(len(p.annotation.objects) for p in predictions) == 17
        assert backend.jobs.get(done["job_id"]).finished_items_count == 6


# ------------------------------------------------------------------ migration


def test_migrate_example_there_and_back(sv, ls, tmp_path):
    there, back = _name("Lemons there"), _name("Lemons back")
    done = migrate_project.run(*sv, *ls, ledger=tmp_path, there_name=there, back_name=back)

    assert done["plan"]["dry_run"] is True
    for way in ("there", "back"):
        carried = done["summary"][way]
        assert (carried["items"], carried["annotations"], carried["objects"], carried["tags"]) == (6, 6, 17, 34), way
    assert all("->" in loss for loss in done["summary"]["losses"])
    ledgers = sorted(p.name for p in tmp_path.glob("*.sqlite"))  # the dry run wrote nothing, not even a ledger
    assert ledgers == ["labelstudio-to-supervisely.sqlite", "supervisely-to-labelstudio.sqlite"]
    with annobridge.connect(*ls) as target, annobridge.connect(*sv) as source:
        assert {p.name: p.items_count for p in target.projects.list()}[there] == 6
        round_trip = next(p for p in source.projects.list() if p.name == back)
        assert len(list(source.items.list(project_id=round_trip.id))) == 6
    again = migrate_project.run(*sv, *ls, ledger=tmp_path, there_name=there, back_name=back)  # resumes: no duplicates
    with annobridge.connect(*ls) as target:
        assert {p.name: p.items_count for p in target.projects.list()}[there] == 6
    assert again["there"]["already_done"] == 6


# ------------------------------------------------------------------ the demo


def test_demo_runs_every_step_on_both_backends(labelstudio_server, tmp_path, capsys):
    assert demo.run(labelstudio=labelstudio_server, out=tmp_path) == 0
    out = capsys.readouterr().out
    assert "all 7 steps passed" in out
    assert labelstudio_server.token not in out
    assert len(list((tmp_path / "supervisely").glob("*.json"))) == 1
    assert len(list((tmp_path / "labelstudio").glob("*.json"))) == 1
    for backend in ("supervisely", "labelstudio"):  # the command-line pipeline kept its export on each
        assert list((tmp_path / f"pipeline-{backend}").rglob("*.json")), backend


def test_demo_goes_on_after_a_failed_step_stops_what_it_started_and_exits_non_zero(labelstudio_server, capsys):
    seen = {}

    def todo(backends, out):
        seen["port"] = int(backends.supervisely_url.rsplit(":", 1)[1])
        return [("broken", lambda: 1 / 0), ("fine", lambda: {"skipped": {}})]

    assert demo.run(labelstudio=labelstudio_server, todo=todo) == 1
    out = capsys.readouterr().out
    assert "1 of 2 steps failed" in out and "ZeroDivisionError" in out
    with socket.socket() as probe:  # the sandbox the demo started is gone
        assert probe.connect_ex(("127.0.0.1", seen["port"])) != 0


# The two example modules allowed a vendor package, and why (every other one runs on the neutral API alone).
VENDOR_SPECIFIC = {
    "stand_in_people.py": "plays the labeler and the reviewer, who act in each tool's own UI",
    "demo.py": "starts the two local servers make demo runs against",
}


def test_examples_import_nothing_of_a_vendor_but_the_stand_ins():
    import ast

    for path in sorted(EXAMPLES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        found |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        vendor = sorted(m for m in found if m.split(".")[0] in ("annobridge_labelstudio", "annobridge_supervisely",
                                                               "supervisely", "label_studio_sdk"))
        if path.name in VENDOR_SPECIFIC:
            assert "vendor-specific" in (ast.get_docstring(tree) or ""), f"{path.name} must say it is vendor-specific"
            continue
        assert vendor == [], f"{path.name} imports {vendor}; examples use only annobridge's neutral API"
