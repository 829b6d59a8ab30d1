"""Shared pieces of the migration tests: the two real backends, and annotations compared modulo what a trip loses."""

from __future__ import annotations

import secrets
import uuid

import numpy as np
import pytest

import annobridge

SV_TOKEN = secrets.token_hex(16)  # a token of this run's own, so the tests can look for it in reports and ledgers


@pytest.fixture(scope="module")
def sandbox():
    """A seeded Supervisely sandbox ("Lemons (Test)", id 5555) for the module, with a random token."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox(token=SV_TOKEN) as handle:
        yield handle


@pytest.fixture(scope="module")
def sv(sandbox):
    with annobridge.connect("supervisely+" + sandbox.server_address, token=sandbox.token) as backend:
        yield backend


@pytest.fixture(scope="module")
def ls(labelstudio_server):
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as backend:
        yield backend


@pytest.fixture
def name():
    """A fresh target project name."""
    return f"mig-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def ee(labelstudio_server):
    """A backend that sees an Enterprise server: the stand-in for its own endpoints in front of the real one."""
    from annobridge_labelstudio.testing.enterprise import EnterpriseStandIn

    with EnterpriseStandIn(labelstudio_server.url) as standin:
        with annobridge.connect("labelstudio+" + standin.url, token=labelstudio_server.token) as backend:
            yield backend


@pytest.fixture(scope="module")
def job(sv, ls):
    """A Supervisely job over four lemons images: one labeler (who exists on both sides), admin reviewing, two
    verdicts; (the job, the labeler's login, the items)."""
    from annobridge import JobSpec, ReviewStatus

    login = f"labeler{uuid.uuid4().hex[:6]}"
    labeler = sv.users.create(login, password="1111abc", email=f"{login}@example.com")
    sv.users.add_member(labeler.id)
    ls.users.create(login, email=f"{login}@example.com")
    items = [i.id for i in sv.items.list(dataset_id=10555)][:4]  # the lemons project's one dataset
    (made,) = sv.jobs.create(
        JobSpec(name=f"job-{login}", project_id=5555, annotators=[labeler.id], reviewer=7, item_ids=items)
    )
    sv.jobs.set_status(made.id, "on_review")
    sv.reviews.set(made.id, items[0], ReviewStatus.ACCEPTED)
    sv.reviews.set(made.id, items[1], ReviewStatus.REJECTED)
    yield made, login, items
    sv.jobs.delete(made.id)


def full_map(src, dst, pairs: dict[str, str]) -> dict[str, str | None]:
    """An explicit user map naming every source user: `pairs`, everybody else left unmapped."""
    return {u.login: pairs.get(u.login) for u in src.users.list() if u.login}


def objects_of(backend, project_id) -> dict[str, list[tuple]]:
    """Item name -> its objects as comparable tuples (class, shape, tags), ids and timestamps left out."""
    out: dict[str, list[tuple]] = {}
    for page in backend.transfer.read(project_id, batch_size=50):
        for record in page.records:
            found = []
            for ann in record.annotations:
                for obj in ann.objects:
                    found.append(
                        (obj.class_name, _shape(obj.shape), tuple(sorted((t.name, t.value) for t in obj.tags)))
                    )
            out[record.name] = sorted(found, key=repr)
    return out


def _shape(shape) -> tuple:
    if shape.kind == "mask":
        return ("mask", shape.origin, np.packbits(shape.data).tobytes(), shape.data.shape)
    return (shape.kind, shape.model_dump_json())


def ls_counts(ls, project_id) -> tuple[int, int, list[str]]:
    """(tasks, annotations, source keys) as the Label Studio server holds them."""
    tasks = list(ls.items.tasks(project_id, include=None))
    keys = [t["data"].get("annobridge_source") for t in tasks]
    return len(tasks), sum(len(t.get("annotations") or []) for t in tasks), keys
