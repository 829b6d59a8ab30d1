"""`annobridge migrate --shard K/N` live: N shards at once from the Supervisely sandbox into one Label Studio project.

The shards run against the real Label Studio server from the Supervisely sandbox (through the real SDK); the counts
asserted are the servers' own.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections import Counter

import pytest

import annobridge
from annobridge.errors import Conflict, ValidationError
from annobridge.migration import default_ledger
from annobridge.models import Project
from annobridge.shards import Shard, ShardReader

from .migrate_fixtures import ee, full_map, job, ls, ls_counts, name, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555
ITEMS = 30


@pytest.fixture(autouse=True)
def own_lock_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))


def test_each_shard_has_its_own_default_ledger(sv, ls):
    lemons = Project(id=LEMONS, name="Lemons (Test)")
    names = [default_ledger(sv, lemons, ls, shard).name for shard in (None, Shard(1, 3), Shard(2, 3), Shard(2, 4))]
    assert len(set(names)) == 4
    assert names[1] == names[0].replace(".ledger.sqlite", "-shard-1-of-3.ledger.sqlite")


def test_a_shard_reader_reads_its_slice_only_in_full_pages(sv):
    keys = {str(i.id) for i in sv.items.list(project_id=LEMONS)}
    seen: list[str] = []
    for index in (1, 2, 3):
        shard = Shard(index, 3)
        listing = lambda pid: (str(i.id) for i in sv.items.list(project_id=pid))  # noqa: E731
        reader = ShardReader(sv.transfer, shard, keys=listing)
        pages = [[r.key for r in page.records] for page in reader.read(LEMONS, batch_size=2)]
        mine = [k for page in pages for k in page]
        assert all(len(page) == 2 for page in pages[:-1]) and all(shard.holds(k) for k in mine)
        assert reader.count(LEMONS) == -(-len(keys) // 3) and reader.fetch_media == sv.transfer.fetch_media
        seen += mine
    assert Counter(seen) == Counter(keys)  # each item in exactly one slice


def _png(n: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (n * 8 % 256, 90, 160)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def thirty(sv):
    """A Supervisely project of ITEMS small images (Lemons' schema), made for this module."""
    project = sv.projects.create(f"shards-{uuid.uuid4().hex[:6]}", schema=sv.projects.get_schema(LEMONS))
    sv.items.add(project.id, [{"bytes": _png(n), "name": f"{n:03d}.png"} for n in range(ITEMS)])
    yield project
    sv.projects.delete(project.id)


def _env(sandbox, labelstudio_server, tmp_path):
    return {
        **os.environ,
        "API_TOKEN": sandbox.token,
        "SERVER_ADDRESS": sandbox.server_address,  # an environment token goes only to its server
        "LABEL_STUDIO_API_KEY": labelstudio_server.token,
        "LABEL_STUDIO_URL": labelstudio_server.url,
        "ANNOBRIDGE_LOCK_DIR": str(tmp_path / "locks"),
    }


def test_three_shards_at_once_carry_each_item_exactly_once_into_one_project(
    sv, ls, sandbox, labelstudio_server, thirty, tmp_path, monkeypatch
):
    source, target = "supervisely+" + sandbox.server_address, labelstudio_server.backend_url
    args = [sys.executable, "-m", "annobridge.cli", "migrate", source, target, "--project", str(thirty.id)]
    env = _env(sandbox, labelstudio_server, tmp_path)
    before = ls.projects.create(f"probe-{uuid.uuid4().hex[:8]}")  # ids are never reused: the last one given out
    newest = int(before.id)
    ls.projects.delete(before.id)
    runs = [  # started together, each its own process, its own default ledger in the working directory
        subprocess.Popen([*args, "--shard", f"{k}/3", "--batch-size", "4", "--json"], cwd=tmp_path, text=True,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for k in (1, 2, 3)
    ]
    results = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    reports = [json.loads(out) for _, out, _ in results]

    keys = [str(i.id) for i in sv.items.list(project_id=thirty.id)]
    made = {r["target_project"] for r in reports}
    assert len(made) == 1  # every shard wrote into the one project
    named = [p for p in ls.projects.list() if p.name == reports[0]["target_project_name"]]
    assert [str(p.id) for p in named] == list(made)  # no twin left
    target = int(made.pop())
    probe = ls.projects.create(f"probe-{uuid.uuid4().hex[:8]}", schema=ls.projects.get_schema(target))
    assert (target, int(probe.id)) == (newest + 1, newest + 2)  # one project made, none made and removed again
    ls.projects.delete(probe.id)
    tasks, _, on_server = ls_counts(ls, target)
    assert tasks == ITEMS and Counter(on_server) == Counter(keys)  # each source key exactly once, on the server
    for k, report in enumerate(reports, start=1):
        assert report["counts"]["items"]["carried"] == sum(Shard(k, 3).holds(key) for key in keys)
        assert any(note.startswith(f"shard {k}/3: ") and "--into-existing" in note for note in report["notes"])
    assert sum(r["counts"]["items"]["carried"] for r in reports) == ITEMS
    assert len({r["ledger"] for r in reports}) == 3 and all("-shard-" in r["ledger"] for r in reports)

    monkeypatch.chdir(tmp_path)  # the shard's default ledger
    again = annobridge.migrate(sv, ls, project=thirty.id, shard="2/3")
    second = reports[1]["counts"]["items"]["carried"]
    assert (again.target_project, again.runs, again.already_done) == (str(target), 2, second)
    assert again.tally("items").carried == second  # the whole migration's, as before
    assert ls_counts(ls, target)[0] == ITEMS  # the rerun wrote nothing
    for other in ("1/2", None):  # another split, or none, did not make the project: asked to say --into-existing
        with pytest.raises(Conflict, match="did not make it .*--into-existing"):
            ledger = tmp_path / f"other-{str(other).replace('/', '-')}.sqlite"
            annobridge.migrate(sv, ls, project=thirty.id, shard=other, ledger=ledger)
    with pytest.raises(ValidationError, match="is the ledger of shard 2/3 .* not of shard 1/3"):
        annobridge.migrate(sv, ls, project=thirty.id, shard="1/3", ledger=again.ledger)


def test_after_the_shards_one_unsharded_run_into_existing_carries_the_jobs_and_no_item_again(
    sv, ee, job, name, tmp_path
):
    _, login, _ = job
    users = full_map(sv, ee, {"admin": ee.users.me().login, login: login})
    shards = [
        annobridge.migrate(sv, ee, project=LEMONS, target_project=name, user_map=users, shard=f"{k}/2",
                           ledger=tmp_path / f"shard{k}.sqlite")
        for k in (1, 2)
    ]
    target = int(shards[0].target_project)
    assert {s.target_project for s in shards} == {str(target)} and sum(s.tally("items").carried for s in shards) == 6
    assert ee.assignments.list(target) == [] and all(s.tally("jobs").carried == 0 for s in shards)

    follow = annobridge.migrate(sv, ee, project=LEMONS, target_project=name, user_map=users, into_existing=True,
                                ledger=tmp_path / "jobs.sqlite")
    assert (follow.already_present, follow.tally("items").carried) == (6, 0)
    assert follow.tally("assignments").carried == 8 and follow.tally("reviews").carried == 2
    assert len(ee.assignments.list(target)) == 8
    assert ls_counts(ee, target)[:2] == (6, 6)  # no item, no annotation written twice
