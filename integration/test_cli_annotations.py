"""`annobridge annotations export|import` and `predictions import` on the sandbox and the real Label Studio server;
in this process (Local), and through the console entry point once for each group."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction
from pathlib import Path

import pytest

import annobridge
from annobridge import ItemAnnotation, LabelSchema, ObjectAnnotation, ObjectClass, Rectangle, TagSpec

from .cli_fixtures import Shell, cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

PHOTOS = sorted((Path(__file__).resolve().parents[1] / "examples" / "data" / "lemons").glob("*.jpeg"))[:3]
SCHEMA = LabelSchema(
    classes=[ObjectClass(name="lemon", shape="rectangle"), ObjectClass(name="kiwi", shape="rectangle")],
    tags=[TagSpec(name="size", value_type="oneof_string", values=["small", "large"], applies_to="objects_only")],
)


@pytest.fixture(scope="module")
def project(cli):
    """A fresh project of three photos; the first two carry a lemon each, the third nothing."""
    with annobridge.connect(cli.url, token=cli.token) as b:
        made = b.projects.create(f"cli annotations {uuid.uuid4().hex[:6]}", SCHEMA)
        b.items.add(made.id, PHOTOS)
        items = sorted(b.items.list(project_id=made.id), key=lambda i: str(i.id))
        b.annotations.write(made.id, [_box(i, 10 + n) for n, i in enumerate(items[:2])])
    yield made.id, items
    with annobridge.connect(cli.url, token=cli.token) as b:
        b.projects.delete(made.id)


def _box(item, x: int, name: str = "lemon") -> ItemAnnotation:
    obj = ObjectAnnotation(class_name=name, shape=Rectangle(x=x, y=20, width=30, height=40))
    width, height = _size(item)
    return ItemAnnotation(item=item.id, width=width, height=height, objects=[obj])


def _size(item) -> tuple[int, int]:
    """The item's image size: the server's, else its photo's (Label Studio keeps none for an uploaded task)."""
    if item.width and item.height:
        return item.width, item.height
    from PIL import Image

    photo = next(p for p in PHOTOS if str(item.name).endswith(p.name))
    with Image.open(photo) as image:
        return image.size


def _held(cli, pid) -> list[dict]:
    """What the project's items hold, as neutral JSON without the ids and times the server makes."""
    with annobridge.connect(cli.url, token=cli.token) as b:
        return sorted((_plain(a) for a in b.annotations.list(project_id=pid)), key=lambda a: (str(a["item"]), str(a)))


def _plain(ann: ItemAnnotation) -> dict:
    data = ann.model_dump(mode="json")
    for obj in data["objects"]:
        for key in ("id", "created_at", "updated_at", "author"):
            obj.pop(key, None)
        for tag in obj["tags"]:
            tag.pop("created_at", None), tag.pop("updated_at", None), tag.pop("author", None)
    data.pop("author", None)
    return data


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# ------------------------------------------------------------------ export


def test_export_writes_one_item_annotation_per_line(cli, project):
    """Through the console entry point (a fresh process): its exit code, and stdout the JSON lines alone."""
    pid, items = project
    done = Shell.like(cli).run("annotations", "export", "--project", str(pid))
    assert done.returncode == 0, done.stderr
    rows = _lines(done.stdout)
    assert sorted(str(r["item"]) for r in rows) == sorted(str(i.id) for i in items[:2])
    assert {o["class_name"] for r in rows for o in r["objects"]} == {"lemon"}
    assert [ItemAnnotation(**r).objects[0].shape.kind for r in rows] == ["rectangle", "rectangle"]


def test_export_of_some_items_to_a_file_prints_the_path(cli, project, tmp_path):
    pid, items = project
    out = tmp_path / "labels.jsonl"
    done = cli.run("annotations", "export", "--project", str(pid), "--items", str(items[1].id), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert [str(r["item"]) for r in _lines(out.read_text())] == [str(items[1].id)]


def test_export_of_a_job_names_its_items(cli, project):
    pid, items = project
    with annobridge.connect(cli.url, token=cli.token) as b:
        me = b.users.me()
        assigned = [me.id] if b.supports(annobridge.Capability.ASSIGNMENTS) else []
        job = b.jobs.create(annobridge.JobSpec(name=f"cli export {uuid.uuid4().hex[:6]}", project_id=pid,
                                               annotators=assigned))[0]
        job_items = {str(i.id) for i in b.items.list(job_id=job.id)}
    try:
        done = cli.run("annotations", "export", "--job", str(job.id))
        assert done.returncode == 0, done.stderr
        assert {str(r["item"]) for r in _lines(done.stdout)} <= job_items
    finally:
        with annobridge.connect(cli.url, token=cli.token) as b:
            b.jobs.delete(job.id)


def test_native_export_is_the_vendors_json_and_imports_back_unchanged(cli, project, tmp_path):
    pid, items = project
    before = _held(cli, pid)
    out = tmp_path / "native.jsonl"
    done = cli.run("annotations", "export", "--project", str(pid), "--format", "native", "--out", str(out))
    assert done.returncode == 0, done.stderr
    docs = _lines(out.read_text())
    if cli.url.startswith("supervisely"):
        assert {d["image_id"] for d in docs} == {i.id for i in items[:2]}
        assert {o["classTitle"] for d in docs for o in d["annotation"]["objects"]} == {"lemon"}
    else:
        assert {d["id"] for d in docs} == {i.id for i in items[:2]} and all("image" in d["data"] for d in docs)
        assert {r["value"]["rectanglelabels"][0] for d in docs for a in d["annotations"] for r in a["result"]} == {"lemon"}

    done = cli.run("annotations", "import", str(pid), str(out), "--format", "native", "--mode", "replace", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["annotations"], report["items"], report["documents"], report["mode"]) == (2, 2, 2, "replace")
    assert report["totals"]["dropped"] == 0 and report["dry_run"] is False
    assert _held(cli, pid) == before


# ------------------------------------------------------------------ import


def test_import_appends_and_prints_the_fidelity_report(cli, project, tmp_path):
    pid, items = project
    third = items[2]
    kiwi = _box(third, 100, "kiwi").model_dump(mode="json")
    kiwi["objects"][0]["shape"]["x"] = "201/2"  # an exact rational, as the neutral JSON writes one
    done = cli.run("annotations", "import", str(pid), str(_write(tmp_path / "k.jsonl", [kiwi])), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"annotations", "items", "mode", "dry_run", "totals", "entries"}
    assert (report["annotations"], report["items"], report["mode"]) == (1, 1, "append")
    with annobridge.connect(cli.url, token=cli.token) as b:
        held = b.annotations.get(third.id)
        assert [o.class_name for a in held for o in a.objects] == ["kiwi"]
        assert [o.shape.x for a in held for o in a.objects] == [Fraction(201, 2)]  # shown or kept, it comes back
        b.annotations.delete([third.id])
    if cli.url.startswith("supervisely"):  # whole pixels there: the half pixel is rounded, and kept for the way back
        assert any(e["outcome"] == "kept" and "subpixel" in e["kind"] for e in report["entries"]), report

    table = cli.run("annotations", "import", str(pid), str(tmp_path / "k.jsonl"), "--dry-run")
    assert table.returncode == 0, table.stderr
    assert "would write 1 annotations on 1 items (append)" in table.stdout


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not json", "line 2: not JSON"),
        ({"item": 1, "width": -5, "height": 3}, "line 2: item 1: width"),
        ("unknown class", "line 2: item"),
        ("stranger", "line 2: item 987654321 is not an item of project"),
        ({"width": 5, "height": 5}, "line 2: the annotation names no item"),
    ],
    ids=["not-json", "bad-field", "unknown-class", "not-an-item", "no-item"],
)
def test_a_bad_line_is_named_and_nothing_is_written(cli, project, tmp_path, bad, message):
    pid, items = project
    good = _box(items[2], 5).model_dump(mode="json")
    if bad == "unknown class":
        bad = {**good, "objects": [{**good["objects"][0], "class_name": "banana"}]}
    elif bad == "stranger":
        bad = {**good, "item": 987654321}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + (bad if isinstance(bad, str) else json.dumps(bad)) + "\n")
    before = _held(cli, pid)
    done = cli.run("annotations", "import", str(pid), str(path))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert _held(cli, pid) == before


def test_a_bad_native_document_is_named_and_nothing_is_written(cli, project, tmp_path):
    pid, items = project
    out = tmp_path / "native.jsonl"
    exported = cli.run("annotations", "export", "--project", str(pid), "--format", "native", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    good = out.read_text().splitlines()[0]
    before = _held(cli, pid)
    for bad, message in [({"annotations": "none"}, "line 2: document #1"), (["a", "list"], "line 2: document #1")]:
        path = tmp_path / "bad.jsonl"
        path.write_text(good + "\n" + json.dumps(bad) + "\n")
        done = cli.run("annotations", "import", str(pid), str(path), "--format", "native", "--mode", "replace")
        assert (done.returncode, message in done.stderr) == (2, True), done.stderr
    assert _held(cli, pid) == before


def test_bad_options_exit_2_before_connecting(cli, project, tmp_path):
    pid, _ = project
    path = _write(tmp_path / "empty.jsonl", [])
    for args, message in [
        (["import", str(pid), str(path), "--mode", "merge"], "--mode"),
        (["import", str(pid), str(path), "--format", "xml"], "--format"),
        (["import", str(pid), str(tmp_path / "missing.jsonl")], "cannot be read"),
        (["import", str(path)], "PROJECT FILE, or --job"),
        (["export", "--job", "1", "--project", str(pid)], "one of --job and --project"),
        (["export", "--project", str(pid), "--out", str(tmp_path / "no" / "such.jsonl")], "--out"),
    ]:
        done = cli.run("annotations", *args)
        assert (done.returncode, message in done.stderr) == (2, True), (args, done.stderr)


def test_import_onto_a_job_writes_into_the_project_holding_its_items(cli, project, tmp_path):
    pid, items = project
    with annobridge.connect(cli.url, token=cli.token) as b:
        me = b.users.me()
        assigned = [me.id] if b.supports(annobridge.Capability.ASSIGNMENTS) else []
        job = b.jobs.create(annobridge.JobSpec(name=f"cli import {uuid.uuid4().hex[:6]}", project_id=pid,
                                               annotators=assigned))[0]
        job_items = sorted(b.items.list(job_id=job.id), key=lambda i: str(i.id))
    try:
        path = _write(tmp_path / "job.jsonl", [_box(job_items[-1], 7, "kiwi").model_dump(mode="json")])
        done = cli.run("annotations", "import", "--job", str(job.id), str(path))
        assert done.returncode == 0, done.stderr
        with annobridge.connect(cli.url, token=cli.token) as b:
            assert "kiwi" in [o.class_name for a in b.annotations.get(job_items[-1].id) for o in a.objects]
            b.annotations.delete([job_items[-1].id])
    finally:
        with annobridge.connect(cli.url, token=cli.token) as b:
            b.jobs.delete(job.id)


# ------------------------------------------------------------------ predictions


def test_predictions_import_on_label_studio(ls_cli, tmp_path):
    with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
        made = b.projects.create(f"cli predictions {uuid.uuid4().hex[:6]}", SCHEMA)
        b.items.add(made.id, PHOTOS[:2])
        items = sorted(b.items.list(project_id=made.id), key=lambda i: i.id)
    try:
        rows = [_box(items[0], 3).model_dump(mode="json"),
                {"annotation": _box(items[1], 4, "kiwi").model_dump(mode="json"), "model_version": "m2", "score": 0.25}]
        done = ls_cli.run("predictions", "import", str(made.id), str(_write(tmp_path / "p.jsonl", rows)),
                            "--model-version", "m1", "--score", "0.5", "--json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert (report["predictions"], report["items"], report["model_versions"]) == (2, 2, ["m1", "m2"])
        with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
            held = sorted(b.predictions.list(project_id=made.id), key=lambda p: p.model_version)
            assert [(p.model_version, p.score, p.annotation.objects[0].class_name) for p in held] == [
                ("m1", 0.5, "lemon"), ("m2", 0.25, "kiwi")]
            assert list(b.annotations.list(project_id=made.id)) == []  # predictions stay apart from labels

        bad = _write(tmp_path / "bad.jsonl", [rows[0], {"annotation": {"item": items[0].id}}])
        done = ls_cli.run("predictions", "import", str(made.id), str(bad))
        assert done.returncode == 2 and "line 2" in done.stderr
        with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
            assert len(list(b.predictions.list(project_id=made.id))) == 2
    finally:
        with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
            b.projects.delete(made.id)


def test_predictions_import_on_supervisely_exits_6_with_the_reason(sv_shell, tmp_path):
    """Through the console entry point (a fresh process): its exit code and its one line."""
    with annobridge.connect(sv_shell.url, token=sv_shell.token) as b:
        item = next(iter(b.items.list(project_id=5555)))
        before = [_plain(a) for a in b.annotations.get(item.id)]
    path = _write(tmp_path / "p.jsonl", [_box(item, 3).model_dump(mode="json")])
    done = sv_shell.run("predictions", "import", "5555", str(path), "--model-version", "m1")
    assert done.returncode == 6
    assert "predictions is not supported by supervisely" in done.stderr and "ObjectOrigin.MODEL" in done.stderr
    with annobridge.connect(sv_shell.url, token=sv_shell.token) as b:
        assert [_plain(a) for a in b.annotations.get(item.id)] == before
