"""Under injected faults (annobridge.testing.faults): the Supervisely workflow and export, and a 1,000-item migration.

The servers are real (the Supervisely sandbox through the real SDK, the real Label Studio server);
the proxy sits between annobridge and each. Counts are read from the servers directly, not through
the proxy. Faults on requests safe to repeat are absorbed by the retry policy; a fault on a write
that is not (an upload, an import) fails its batch, which migrate() reconciles with the target
(the write may have landed) and completes by writing only what is missing, so one migrate() call
finishes with nothing lost and nothing written twice.
"""

from __future__ import annotations

import io
import random
import uuid
from collections import Counter

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.retry import SAFE_METHODS
from annobridge.testing.faults import FaultPlan, FaultProxy

RATES = dict(drop=0.08, lost_answer=0.06, unavailable=0.08, rate_limited=0.08, delay=0.05, truncate=0.08)
ITEMS = 1000
TOKEN = uuid.uuid4().hex


def _sv_safe(method: str, path: str) -> bool:
    from annobridge_supervisely.client import safe_to_repeat

    return method in SAFE_METHODS or safe_to_repeat(path.rsplit("/", 1)[-1])


def _png(n: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (16, 16), (n % 256, (n // 256) % 256, 7))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def sandbox():
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox(token=TOKEN) as handle:
        yield handle


@pytest.fixture(scope="module")
def sv(sandbox):
    with annobridge.connect("supervisely+" + sandbox.server_address, token=TOKEN) as backend:
        yield backend


def test_supervisely_workflow_and_export_under_faults_lose_and_duplicate_nothing(sandbox, sv, tmp_path):
    project = sv.projects.create(f"faults-{uuid.uuid4().hex[:6]}", schema=sv.projects.get_schema(5555))
    ids = sv.items.add(project.id, [{"bytes": _png(n), "name": f"{n:03d}.png"} for n in range(40)])
    plan = FaultPlan(seed=99, max_in_a_row=2, eligible=_sv_safe, **RATES)
    with FaultProxy(sandbox.server_address, plan) as proxy:
        with annobridge.connect(f"supervisely+{proxy.url}", token=TOKEN, retries=3, retry_backoff=0.01) as faulty:
            listed = [item.name for item in faulty.items.list(project_id=project.id)]
            me = faulty.users.me()
            jobs = faulty.jobs.create(JobSpec(name="faulty", project_id=project.id, annotators=[me.id], item_ids=ids))
            job = faulty.jobs.get(jobs[0].id)
            entities = faulty.reviews.list(job.id)
            export = faulty.exports.create(job.id)
            path = faulty.exports.download(export, tmp_path)
    injected = proxy.injected_counts()
    print(f"\nSupervisely workflow: injected {injected} into {proxy.received} requests, {proxy.forwarded} forwarded")
    assert sorted(listed) == [f"{n:03d}.png" for n in range(40)]
    assert len(jobs) == 1 and len(entities) == 40 and path.exists()
    on_server = [item.name for item in sv.items.list(project_id=project.id)]
    assert sorted(on_server) == sorted(listed), "0 lost and 0 duplicated, counted on the sandbox directly"
    assert len(sv.jobs.list(project_id=project.id)) == 1
    assert sum(injected.values()) >= 5 and len(injected) >= 4, injected


def _seed_source(sandbox) -> int:
    """A project of ITEMS distinct images with one rectangle each, written through the sandbox's own store."""
    from annobridge_sandbox_supervisely.annotation_store import write_annotation
    from annobridge_sandbox_supervisely.images import get_image, store_blob
    from annobridge_sandbox_supervisely.project_meta import replace_meta
    from annobridge_sandbox_supervisely.seed import ADMIN_ID, OWNER_LOGIN, WORKSPACE_ID
    from annobridge_sandbox_supervisely.store import now

    store, stamp, rng = sandbox.app.state.store, now(), random.Random(5)
    meta = {"classes": [{"title": "box", "shape": "rectangle", "color": "#D0021B", "geometry_config": {}}], "tags": []}
    with store.transaction():
        pid = store.execute(
            "INSERT INTO projects (workspace_id, name, description, readme, type, custom_data, settings, created_by, "
            "created_at, updated_at) VALUES (?, ?, '', '', 'images', '{}', '{}', ?, ?, ?)",
            (WORKSPACE_ID, f"faults-{ITEMS}", ADMIN_ID, stamp, stamp),
        )
        did = store.execute(
            "INSERT INTO datasets (project_id, name, description, custom_data, created_by, created_at, updated_at) "
            "VALUES (?, 'ds0', '', '{}', ?, ?, ?)",
            (pid, ADMIN_ID, stamp, stamp),
        )
        replace_meta(store, pid, meta)
        for n in range(ITEMS):
            image_id = store.execute(
                "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, '{}', '', ?, ?, ?)",
                (did, f"img_{n:04d}.png", store_blob(store, _png(n)), ADMIN_ID, stamp, stamp),
            )
            left, top = rng.randrange(0, 8), rng.randrange(0, 8)
            box = {"exterior": [[left, top], [left + 5, top + 5]], "interior": []}
            ann = {
                "description": "",
                "size": {"height": 16, "width": 16},
                "tags": [],
                "objects": [
                    {"classTitle": "box", "geometryType": "rectangle", "description": "", "tags": [], "points": box}
                ],
            }
            write_annotation(store, get_image(store, image_id), ann, OWNER_LOGIN)
    return pid


def test_a_thousand_item_migration_under_faults_loses_and_duplicates_nothing(sandbox, labelstudio_server, tmp_path):
    source_project = _seed_source(sandbox)
    title = f"faults-{uuid.uuid4().hex[:8]}"
    ledger = tmp_path / "ledger.sqlite"
    plan_sv = FaultPlan(seed=11, max_in_a_row=2, **{k: v / 2 for k, v in RATES.items()})
    plan_ls = FaultPlan(seed=12, max_in_a_row=2, **{k: v / 2 for k, v in RATES.items()})
    with (
        FaultProxy(sandbox.server_address, plan_sv) as sv_proxy,
        FaultProxy(labelstudio_server.url, plan_ls) as ls_proxy,
        annobridge.connect(f"supervisely+{sv_proxy.url}", token=TOKEN, retry_backoff=0.01) as src,
        annobridge.connect(f"labelstudio+{ls_proxy.url}", token=labelstudio_server.token, retry_backoff=0.01) as dst,
    ):
        report = annobridge.migrate(
            src, dst, project=source_project, target_project=title, ledger=ledger, batch_size=100
        )
    injected = Counter(sv_proxy.injected_counts()) + Counter(ls_proxy.injected_counts())
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls:
        target = next(p for p in ls.projects.list() if p.name == title)
        tasks = list(ls.items.tasks(target.id, include=None))
    keys = [t["data"].get("annobridge_source") for t in tasks]
    annotations = sum(len(t.get("annotations") or []) for t in tasks)
    print(
        f"\n{ITEMS}-item migration Supervisely -> Label Studio: injected {dict(injected)} into "
        f"{sv_proxy.received + ls_proxy.received} requests; one migrate() call, {report.retried} tries again after "
        f"a transient failure; on the server: {len(tasks)} tasks, {len(set(keys))} distinct sources, "
        f"{annotations} annotations"
    )
    assert len(tasks) == ITEMS and len(set(keys)) == ITEMS and None not in keys, "0 lost, 0 duplicated"
    assert annotations == ITEMS
    assert report.tally("items").carried == ITEMS and report.tally("annotations").carried == ITEMS
    assert sum(injected.values()) >= 20 and len(injected) >= 5, injected
    assert report.retried >= 1  # some write met a fault it could not simply repeat, and was reconciled


def _nth(method: str, ending: str, n: int, seen: list[str]):
    """A FaultPlan `eligible` picking only the n-th `method` request whose path ends with `ending`; records them all."""

    def eligible(verb: str, path: str) -> bool:
        if verb == method and path.endswith(ending):
            seen.append(path)
            return len(seen) == n
        return False

    return eligible


LANDS = {"lost_answer": True, "truncate": True, "drop": False, "unavailable": False, "rate_limited": False}


@pytest.mark.parametrize("kind", sorted(LANDS))
def test_a_task_import_that_meets_a_fault_is_reconciled_and_written_once(sv, labelstudio_server, tmp_path, kind):
    """The first batch's task import (the 2nd POST .../import: the 1st is its upload) meets `kind`; one migrate()."""
    seen: list[str] = []
    plan = FaultPlan(seed=1, eligible=_nth("POST", "/import", 2, seen), **{kind: 1.0})
    with (
        FaultProxy(labelstudio_server.url, plan) as proxy,
        annobridge.connect(f"labelstudio+{proxy.url}", token=labelstudio_server.token, retry_backoff=0.01) as dst,
    ):
        report = annobridge.migrate(
            sv,
            dst,
            project=5555,
            target_project=f"fault-{kind}-{uuid.uuid4().hex[:6]}",
            ledger=tmp_path / "l.sqlite",
            batch_size=4,
        )
    assert proxy.injected_counts() == {kind: 1} and report.retried == 1
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls:
        tasks = list(ls.items.tasks(int(report.target_project)))
    keys = Counter(t["data"]["annobridge_source"] for t in tasks)
    assert sorted(keys) == sorted(str(i.id) for i in sv.items.list(project_id=5555)) and set(keys.values()) == {1}
    assert sum(len(t["annotations"]) for t in tasks) == 6 and report.tally("items").carried == 6
    # landed: the retry found the batch's 4 tasks and sent nothing again; lost: it uploaded and imported it again
    assert len(seen) == (4 if LANDS[kind] else 6)


@pytest.mark.parametrize(
    ("method", "kind"),
    [("images.bulk.add", "lost_answer"), ("annotations.bulk.add", "lost_answer"), ("annotations.bulk.add", "drop")],
)
def test_a_supervisely_batch_write_that_meets_a_fault_is_reconciled_and_written_once(
    sandbox, sv, tmp_path, method, kind
):
    """Into the sandbox (through the proxy): the first batch's image add or annotation upload meets `kind`."""
    seen: list[str] = []
    plan = FaultPlan(seed=1, eligible=_nth("POST", method, 1, seen), **{kind: 1.0})
    with (
        FaultProxy(sandbox.server_address, plan) as proxy,
        annobridge.connect(f"supervisely+{proxy.url}", token=TOKEN, retry_backoff=0.01) as dst,
    ):
        report = annobridge.migrate(
            sv,
            dst,
            project=5555,
            target_project=f"fault-{uuid.uuid4().hex[:6]}",
            ledger=tmp_path / "l.sqlite",
            batch_size=4,
        )
    assert proxy.injected_counts() == {kind: 1} and report.retried == 1
    images = list(sv.items.list(project_id=int(report.target_project)))
    assert sorted(i.name for i in images) == sorted(i.name for i in sv.items.list(project_id=5555))
    assert Counter(i.meta["image"]["annobridge_source"] for i in images).most_common(1)[0][1] == 1
    objects = [
        o
        for page in sv.transfer.read(int(report.target_project))
        for r in page.records
        for a in r.annotations
        for o in a.objects
    ]
    assert len(objects) == 17  # every object exactly once
    assert len(seen) == (2 if method == "images.bulk.add" else 3)  # the retry added no image again


def test_a_target_project_whose_creation_answer_is_lost_is_made_once(sv, labelstudio_server, tmp_path):
    """The server makes the project but its answer never comes back: migrate() finds it by name instead of a second."""
    seen: list[str] = []

    def creation(method: str, path: str) -> bool:
        if method == "POST" and path.rstrip("/") == "/api/projects":
            seen.append(path)
            return len(seen) == 1
        return False

    title = f"fault-create-{uuid.uuid4().hex[:6]}"
    plan = FaultPlan(seed=1, eligible=creation, lost_answer=1.0)
    with (
        FaultProxy(labelstudio_server.url, plan) as proxy,
        annobridge.connect(f"labelstudio+{proxy.url}", token=labelstudio_server.token, retry_backoff=0.01) as dst,
    ):
        report = annobridge.migrate(sv, dst, project=5555, target_project=title, ledger=tmp_path / "l.sqlite")
    assert proxy.injected_counts() == {"lost_answer": 1} and report.retried == 1 and len(seen) == 1
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls:
        (made,) = [p for p in ls.projects.list() if p.name == title]
        assert str(made.id) == report.target_project and ls.transfer.count(made.id) == 6
