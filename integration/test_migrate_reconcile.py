"""Migrating into a target that already holds some or all of the items, with a new or deleted ledger: nothing twice.

The target is read once up front for the source keys its items carry; those items are left alone
and counted as already present. Against the real Label Studio server and the Supervisely sandbox
(through the real SDK); the counts asserted are the servers' own.
"""

from __future__ import annotations

import io
from collections import Counter

import annobridge
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.transfer import Record

from .migrate_fixtures import ls, ls_counts, name, objects_of, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555


def test_rerun_with_a_deleted_or_new_ledger_writes_nothing_twice(sv, ls, name, tmp_path):
    path = tmp_path / "ledger.sqlite"
    first = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path, batch_size=4)
    target = int(first.target_project)
    for stale in tmp_path.glob("ledger.sqlite*"):
        stale.unlink()  # the ledger is gone
    start = ls.connection.requests
    again = annobridge.migrate(
        sv, ls, project=LEMONS, target_project=name, ledger=path, batch_size=4, into_existing=True
    )
    without_ledger = ls.connection.requests - start
    assert again.target_project == first.target_project
    assert (again.already_done, again.already_present, again.reconciled) == (0, 6, 0)
    assert again.tally("items").carried == 0 and again.tally("annotations").carried == 0
    tasks, annotations, keys = ls_counts(ls, target)
    assert (tasks, annotations) == (6, 6) and Counter(keys) == Counter(
        str(i.id) for i in sv.items.list(project_id=LEMONS)
    )
    # a third run with another new ledger: no more, and the ledger of the second run now maps every item
    newer = annobridge.migrate(
        sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "new.sqlite", into_existing=True
    )
    assert newer.already_present == 6 and ls_counts(ls, target)[:2] == (6, 6)
    start = ls.connection.requests
    resumed = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=path, batch_size=4)
    with_ledger = ls.connection.requests - start
    assert resumed.already_done == 6 and resumed.already_present == 0
    # what reconciling costs: the one read of the target's keys, which a run with its ledger makes too;
    # no upload, listing or import
    assert without_ledger == with_ledger
    start = ls.connection.requests
    assert len(ls.transfer.present(target)) == 6
    assert ls.connection.requests - start == 1  # 1000 tasks a request


def test_a_target_holding_some_of_the_items_gets_only_the_missing_ones(sv, ls, name, tmp_path):
    first = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "a.sqlite")
    target = int(first.target_project)
    tasks = list(ls.items.tasks(target, fields="task_only", include=("id",)))
    ls.items.delete([t["id"] for t in tasks[:2]], project_id=target)
    start = ls.connection.requests
    again = annobridge.migrate(
        sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "b.sqlite", into_existing=True
    )
    missing_run = ls.connection.requests - start
    assert (again.already_present, again.tally("items").carried, again.tally("annotations").carried) == (4, 2, 2)
    count, annotations, keys = ls_counts(ls, target)
    assert (count, annotations) == (6, 6) and len(set(keys)) == 6
    assert objects_of(ls, target) == objects_of(sv, LEMONS)
    start = ls.connection.requests
    done = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "b.sqlite")
    assert done.already_done == 6
    # the 2 missing went in one batch: upload, file listing, import; the rest of both runs is the same
    assert missing_run - (ls.connection.requests - start) == 3


def test_back_to_supervisely_twice_without_the_ledger_duplicates_no_image(sv, ls, name, tmp_path):
    """The path that used to end in "image names are duplicated": LS -> SV reruns with new ledgers."""
    there = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "there.sqlite")
    annobridge.migrate(
        sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "there-again.sqlite", into_existing=True
    )
    assert ls_counts(ls, int(there.target_project))[:2] == (6, 6)
    reports = [
        annobridge.migrate(
            ls, sv, project=there.target_project, target_project=name + " back", ledger=tmp_path / n,
            into_existing=n == "back-2.sqlite",  # the second, with a ledger of its own, adds to the first's project
        )
        for n in ("back-1.sqlite", "back-2.sqlite")
    ]
    assert [r.already_present for r in reports] == [0, 6] and reports[1].tally("items").carried == 0
    copy = int(reports[1].target_project)
    images = list(sv.items.list(project_id=copy))
    assert len(images) == 6 and len({i.name for i in images}) == 6
    assert Counter(i.meta["image"].get("annobridge_source") for i in images).most_common(1)[0][1] == 1
    copied = objects_of(sv, copy)
    assert sum(len(v) for v in copied.values()) == 17 and copied == objects_of(sv, LEMONS)


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def test_label_studio_annotation_of_item_tags_only_migrates_to_supervisely(sv, ls, name, tmp_path):
    """An annotator's size-less choice (made through the real server) reaches Supervisely with the image's size."""
    schema = LabelSchema(
        classes=[ObjectClass(name="box", shape="rectangle")],
        tags=[TagSpec(name="ripe", value_type="oneof_string", values=("yes", "no"), applies_to="items_only")],
    )
    source = ls.projects.create(name, schema=schema)
    written = ls.transfer.write(
        source.id, [Record(key=f"t{n}", name=f"t{n}.png", media=_png(40 + n, 30)) for n in range(2)], schema=schema
    )
    result = [{"from_name": "ripe", "to_name": "image", "type": "choices", "value": {"choices": ["yes"]}}]
    for task in written.ids.values():
        ls.annotations.create_json(task, result=result)
    report = annobridge.migrate(ls, sv, project=source.id, target_project=name, ledger=tmp_path / "tags.sqlite")
    assert report.tally("items").carried == 2 and report.tally("annotations").carried == 2
    images = {i.name: i for i in sv.items.list(project_id=int(report.target_project))}
    assert {n: (i.width, i.height) for n, i in images.items()} == {"t0.png": (40, 30), "t1.png": (41, 30)}
    for page in sv.transfer.read(int(report.target_project)):
        for record in page.records:
            (ann,) = record.annotations
            assert [(t.name, t.value) for t in ann.tags] == [("ripe", "yes")]
            assert (ann.width, ann.height) == (record.width, record.height)
