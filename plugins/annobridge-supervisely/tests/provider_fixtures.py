"""Fixtures for the provider tests: a provider connected to the session's Supervisely sandbox, and the seed's ids.

Test modules import these names after putting this directory on sys.path (the suite runs
with --import-mode=importlib). The running sandbox is conftest.py's session `sandbox`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest

from annobridge.errors import NotFound
from annobridge.models import Role
from annobridge.urls import BackendURL
from annobridge_supervisely import SuperviselyProvider

__all__ = ["World", "connect", "counted", "fresh_project", "sv", "unique", "url_of", "world"]


SEED_TEAM, SEED_WORKSPACE = 8, 349  # the seed's "Demo Team" and its workspace; other tests add more of both


def connect(url: str, token: str | None = None, **options) -> SuperviselyProvider:
    """The provider for `url` without the plugin registry (so another plugin's state cannot break these tests)."""
    options.setdefault("team_id", SEED_TEAM)
    options.setdefault("workspace_id", SEED_WORKSPACE)
    return SuperviselyProvider.open(BackendURL.parse(url), token, **options)


def url_of(sandbox) -> str:
    """The annobridge URL of a running sandbox: supervisely+http://127.0.0.1:PORT."""
    return "supervisely+" + sandbox.server_address.rstrip("/")


@pytest.fixture
def sv(sandbox):
    """A provider connected to the sandbox as its admin; no retry sleeps."""
    with connect(url_of(sandbox), token=sandbox.token, retry_sleep=0) as backend:
        yield backend


@dataclass
class World:
    """The seeded team, workspace, project and dataset, and the users the tests made in it."""

    team_id: int
    workspace_id: int
    project_id: int
    dataset_id: int
    image_ids: list[int]
    admin_id: int
    labelers: list[int] = field(default_factory=list)
    reviewer: int = 0
    stranger: int = 0


@pytest.fixture(scope="session")
def world(sandbox) -> World:
    """The seed's ids; three labelers and a reviewer made team members the tutorial's way; one stranger."""
    with connect(url_of(sandbox), token=sandbox.token, retry_sleep=0) as backend:
        lemons = next(p for p in backend.projects.list() if p.name == "Lemons (Test)")
        dataset_id = backend.sole_dataset(lemons.id)
        labelers = [backend.users.ensure_member(f"labeler_{n}", password=f"{n}{n}{n}abc123").id for n in (1, 2, 3)]
        reviewer = backend.users.ensure_member("reviewer_1", password="review123", role=Role.REVIEWER).id
        try:
            stranger = backend.users.get("stranger").id
        except NotFound:
            stranger = backend.users.create("stranger", password="stranger123").id
        return World(
            team_id=backend.team_id,
            workspace_id=backend.workspace_id,
            project_id=lemons.id,
            dataset_id=dataset_id,
            image_ids=[i.id for i in backend.items.list(dataset_id=dataset_id)],
            admin_id=backend.users.me().id,
            labelers=labelers,
            reviewer=reviewer,
            stranger=stranger,
        )


def unique(prefix: str) -> str:
    """`prefix` with a short random suffix, for names that must not collide between tests."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def fresh_project(sv, world):
    """A new project with the lemons schema and copies of the seed's six images in one dataset; removed after."""
    project = sv.projects.create(unique("lemons-copy"), schema=sv.projects.get_schema(world.project_id))
    seed = list(sv.items.list(dataset_id=world.dataset_id))
    data = sv.api.image.download_bytes(world.dataset_id, [i.id for i in seed])
    sv.items.add(project.id, [{"bytes": blob, "name": i.name} for i, blob in zip(seed, data)])
    yield project
    with contextlib.suppress(NotFound):
        sv.projects.delete(project.id)


@contextlib.contextmanager
def counted(backend):
    """Count the API methods `backend` posts inside the block (a count is stable where a time is not)."""
    seen: Counter = Counter()
    api = backend.api
    post = api.post

    def counting(method, data, *args, **kwargs):
        seen[method] += 1
        return post(method, data, *args, **kwargs)

    api.post = counting
    try:
        yield seen
    finally:
        del api.post
