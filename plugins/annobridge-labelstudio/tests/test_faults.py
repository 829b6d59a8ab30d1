"""Label Studio under injected faults: the real server behind annobridge.testing.faults.FaultProxy.

A workflow (job, 300 tasks, paging, status, export snapshot, download) finishes with every task
there exactly once, counted on the server directly (not through the proxy). Faults go into the
requests safe to repeat; a fault on an import (a POST) is reported, never repeated blindly.
"""

from __future__ import annotations

import json
import uuid

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.retry import SAFE_METHODS
from annobridge.testing.conformance import SAMPLE_SCHEMA
from annobridge.testing.faults import FaultPlan, FaultProxy

N = 300
RATES = dict(drop=0.1, lost_answer=0.1, unavailable=0.1, rate_limited=0.1, delay=0.1, truncate=0.1)


def _safe(method: str, path: str) -> bool:
    return method in SAFE_METHODS


def _tasks(n: int, tag: str) -> list[dict]:
    return [{"image": f"http://example.invalid/{tag}/{i}.jpg", "n": i} for i in range(n)]


def _server_side(backend, job_id) -> list[int]:
    return sorted(item.data["n"] for item in backend.items.list(job_id=job_id))


def test_workflow_and_export_under_faults_lose_and_duplicate_nothing(server, backend, tmp_path):
    plan = FaultPlan(seed=2024, max_in_a_row=2, delay_seconds=0.01, eligible=_safe, **RATES)
    with FaultProxy(server.url, plan) as proxy:
        faulty = annobridge.connect(f"labelstudio+{proxy.url}", token=server.token, retries=3, retry_backoff=0.01)
        (job,) = faulty.jobs.create(JobSpec(name=f"faults-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
        ids = faulty.items.add(job.id, _tasks(N, "wf"), batch_size=100)
        listed = list(faulty.items.list(job_id=job.id, page_size=20))  # 15 pages, each a GET the faults may hit
        status = faulty.jobs.status(job.id)
        export = faulty.exports.wait(faulty.exports.create(job.id), poll_interval=0.2)
        path = faulty.exports.download(export, tmp_path)
        attempts = faulty.connection.transport.attempts
        faulty.close()
    exported = json.loads(path.read_text())
    injected = proxy.injected_counts()
    print(
        f"\nLabel Studio workflow: injected {injected} into {proxy.received} requests; "
        f"{attempts} attempts on the wire; {proxy.forwarded} reached the server"
    )

    assert len(ids) == len(set(ids)) == N
    assert sorted(i.data["n"] for i in listed) == list(range(N))
    assert sorted(t["data"]["n"] for t in exported) == list(range(N))
    assert _server_side(backend, job.id) == list(range(N)), "0 lost and 0 duplicated, counted on the server"
    assert status is not None
    assert sum(injected.values()) >= 5 and len(injected) >= 4, injected  # the run really met faults
    assert attempts == proxy.received  # every attempt went through the proxy, each counted once
    backend.jobs.delete(job.id)


@pytest.mark.parametrize(("kind", "on_server"), [("drop", 0), ("lost_answer", 10), ("unavailable", 0)])
def test_a_fault_on_an_import_is_reported_and_never_repeated(server, backend, kind, on_server):
    (job,) = backend.jobs.create(JobSpec(name=f"faults-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
    plan = FaultPlan(seed=1, eligible=lambda m, p: m == "POST" and p.endswith("/import"), **{kind: 1.0})
    with FaultProxy(server.url, plan) as proxy:
        faulty = annobridge.connect(f"labelstudio+{proxy.url}", token=server.token, retries=3, retry_backoff=0)
        with pytest.raises(annobridge.Unavailable):
            faulty.items.add(job.id, _tasks(10, kind))
        faulty.close()
    assert proxy.injected_counts() == {kind: 1}, "one try: an import is not safe to repeat"
    assert len(_server_side(backend, job.id)) == on_server
    backend.jobs.delete(job.id)


def test_a_failed_annotation_write_removes_what_it_made(server, backend):
    from annobridge.annotations import ItemAnnotation, Tag

    (job,) = backend.jobs.create(JobSpec(name=f"faults-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
    ids = backend.items.add(job.id, _tasks(3, "write"))
    posts = iter(range(100))
    plan = FaultPlan(seed=1, unavailable=1.0,  # the first annotation goes through, the second fails
                     eligible=lambda m, p: m == "POST" and p.rstrip("/").endswith("/annotations") and next(posts) >= 1)
    written = [ItemAnnotation(item=t, width=64, height=48, tags=[Tag(name="size", value="small")]) for t in ids]
    with FaultProxy(server.url, plan) as proxy:
        faulty = annobridge.connect(f"labelstudio+{proxy.url}", token=server.token, retries=3, retry_backoff=0)
        with pytest.raises(annobridge.Unavailable):
            faulty.annotations.write(job.id, written)
        faulty.close()
    assert proxy.injected_counts() == {"unavailable": 1}
    assert list(backend.annotations.list(job_id=job.id)) == [], "nothing half-written that a rerun would duplicate"
    backend.jobs.delete(job.id)
