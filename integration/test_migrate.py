"""Migration between the Supervisely sandbox (through the real SDK) and the real Label Studio server, both ways."""

from __future__ import annotations

import json

import pytest

import annobridge
from annobridge import ValidationError
from annobridge.ledger import Ledger
from annobridge.schema import LabelSchema, ObjectClass

from .migrate_fixtures import full_map, ls, ls_counts, name, objects_of, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555


def test_supervisely_to_label_studio_carries_items_annotations_and_authors(sv, ls, name, tmp_path):
    users = full_map(sv, ls, {"admin": ls.users.me().login})
    report = annobridge.migrate(
        sv, ls, project="Lemons (Test)", target_project=name, ledger=tmp_path / "l.sqlite", user_map=users, batch_size=4
    )
    target = int(report.target_project)
    tasks, annotations, keys = ls_counts(ls, target)
    assert (tasks, annotations) == (6, 6)
    assert sorted(keys) == sorted(str(i.id) for i in sv.items.list(project_id=LEMONS))
    assert report.tally("items").carried == 6 and report.tally("annotations").carried == 6
    assert report.tally("objects").carried == 17 and report.objects_by_shape == {"mask": 17}
    assert report.users_unmapped == [] and report.tally("users").carried == 1
    assert objects_of(ls, target) == objects_of(sv, LEMONS)  # every mask pixel and tag value
    admin = ls.users.me().id
    assert {a["completed_by"] for t in ls.items.tasks(target, include=None) for a in t["annotations"]} == {admin}
    # what Label Studio cannot hold is kept for the way back, and counted
    kept = "object timestamps -> kept for the way back (label studio): 17"
    assert any(line.startswith(kept) for line in report.losses)
    assert ls.projects.get_schema(target).classes == sv.projects.get_schema(LEMONS).classes


def test_round_trip_supervisely_label_studio_supervisely(sv, ls, name, tmp_path):
    there = annobridge.migrate(
        sv,
        ls,
        project=LEMONS,
        target_project=name,
        ledger=tmp_path / "there.sqlite",
        user_map=full_map(sv, ls, {"admin": ls.users.me().login}),
    )
    back = annobridge.migrate(
        ls,
        sv,
        project=there.target_project,
        target_project=name + " back",
        ledger=tmp_path / "back.sqlite",
        user_map=full_map(ls, sv, {ls.users.me().login: "admin"}),
    )
    copy = int(back.target_project)
    assert back.tally("items").carried == 6 and back.tally("objects").carried == 17
    assert objects_of(sv, copy) == objects_of(sv, LEMONS)
    # authors came home: every figure is admin's again
    for page in sv.transfer.read(copy):
        assert {o.author for r in page.records for a in r.annotations for o in a.objects} == {"admin"}
    # the images are the same bytes
    original = {i.name: i.meta["hash"] for i in sv.items.list(project_id=LEMONS)}
    assert {i.name: i.meta["hash"] for i in sv.items.list(project_id=copy)} == original


def test_rerun_is_a_no_op_and_the_ledger_maps_every_item(sv, ls, name, tmp_path):
    path = tmp_path / "ledger.sqlite"
    first = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path, batch_size=5)
    again = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path, batch_size=5)
    assert again.already_done == 6 and again.runs == 2  # this run carried nothing; the report covers both
    assert again.counts == first.counts and again.losses == first.losses
    assert ls_counts(ls, int(first.target_project))[:2] == (6, 6)
    ledger = Ledger.existing(path)
    try:
        assert len(ledger.done("item")) == 6 and ledger.pending("item") == []
    finally:
        ledger.close()


def test_dry_run_writes_nothing_and_reports_the_plan(sv, ls, name, tmp_path):
    before = len(ls.projects.list())
    path = tmp_path / "dry.sqlite"
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path, dry_run=True)
    assert report.dry_run and report.target_project is None
    assert report.tally("items").carried == 6 and report.tally("annotations").carried == 6
    assert any("object timestamps -> kept for the way back (label studio)" in line for line in report.losses)
    assert report.users_unmapped == ["admin"]  # no 'admin' login or email on the Label Studio server
    assert len(ls.projects.list()) == before and not path.exists()


def test_unreachable_source_fails_before_anything_is_written(ls, name, tmp_path, monkeypatch):
    monkeypatch.setenv("API_TOKEN", "not-used")
    monkeypatch.setenv("SERVER_ADDRESS", "http://127.0.0.1:9")
    before = len(ls.projects.list())
    with pytest.raises(annobridge.Unavailable, match="cannot be reached"):
        annobridge.migrate(
            "supervisely+http://127.0.0.1:9", ls, project=LEMONS, target_project=name, ledger=tmp_path / "x.sqlite"
        )
    assert len(ls.projects.list()) == before and not (tmp_path / "x.sqlite").exists()


def test_existing_target_with_another_schema_is_refused(sv, ls, name, tmp_path):
    other = ls.projects.create(name, schema=LabelSchema(classes=[ObjectClass(name="car", shape="rectangle")]))
    with pytest.raises(ValidationError, match=r"target_project: .*exists with another schema.*\['car'\]"):
        annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "x.sqlite", into_existing=True)
    assert ls_counts(ls, other.id)[0] == 0


def test_missing_user_map_entry_is_refused_before_writing(sv, ls, name, tmp_path):
    mapping = tmp_path / "users.csv"
    mapping.write_text("source,target\nsomebody,nobody\n")
    before = len(ls.projects.list())
    with pytest.raises(ValidationError, match=r"user_map: no entry for source users \[.*'admin'"):
        annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "x.sqlite", user_map=mapping)
    assert len(ls.projects.list()) == before


def test_bad_arguments_name_the_field(sv, ls, tmp_path):
    with pytest.raises(ValidationError, match="media: expected one of"):
        annobridge.migrate(sv, ls, project=LEMONS, media="move")
    with pytest.raises(ValidationError, match="batch_size"):
        annobridge.migrate(sv, ls, project=LEMONS, batch_size=0)
    with pytest.raises(ValidationError, match="project: no project 'Pears'"):
        annobridge.migrate(sv, ls, project="Pears", ledger=tmp_path / "x.sqlite")
    bad = tmp_path / "map.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ValidationError, match="expected an object"):
        annobridge.migrate(sv, ls, project=LEMONS, user_map=bad)


def test_tokens_never_reach_the_report_or_the_ledger(sv, ls, sandbox, labelstudio_server, name, tmp_path):
    path = tmp_path / "ledger.sqlite"
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path)
    text = report.to_json() + str(report.to_table())
    stored = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("ledger.sqlite*"))
    for token in (sandbox.token, labelstudio_server.token):
        assert token not in text and token.encode() not in stored
    assert json.loads(report.to_json())["source"] == sv.url


def test_link_mode_points_tasks_at_the_source_urls(sv, ls, name, tmp_path):
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, media="link", ledger=tmp_path / "l.sqlite")
    urls = {t["data"]["image"] for t in ls.items.tasks(int(report.target_project), include=None)}
    assert urls == {i.url for i in sv.items.list(project_id=LEMONS)}


def test_requests_per_batch_do_not_grow_with_the_batch(sv, ls, name, tmp_path):
    """Label Studio sees one upload, one file listing and one import per batch, however many items it holds."""
    counts = {}
    for size in (2, 6):
        start = ls.connection.requests
        annobridge.migrate(
            sv, ls, project=LEMONS, target_project=f"{name}-{size}", ledger=tmp_path / f"{size}.sqlite", batch_size=size
        )
        counts[size] = ls.connection.requests - start
    batches = {2: 3, 6: 1}
    per_batch = (counts[2] - counts[6]) / (batches[2] - batches[6])
    assert per_batch == 3  # upload, file-uploads, import
    assert counts[6] < counts[2]
