"""Fixtures for the provider tests: the session's Supervisely sandbox, the SDK and the provider on it, the seed.

The sandbox comes from the pytest plugin of annobridge-sandbox-supervisely (`supervisely_sandbox`); the
helpers these fixtures use are in provider_support.py.
"""

from __future__ import annotations

import contextlib

import pytest

from annobridge.errors import NotFound
from annobridge.models import Role

from .provider_support import World, connect, unique, url_of


@pytest.fixture(scope="session")
def sandbox(supervisely_sandbox):
    """The seeded sandbox shared by the session (tests make their own users, jobs, projects in it)."""
    return supervisely_sandbox


@pytest.fixture(scope="session")
def make_api(make_supervisely_api):
    """make_api(handle, token=None) -> sly.Api on that sandbox."""
    return make_supervisely_api


@pytest.fixture(scope="session")
def api(sandbox, make_api):
    """`sly.Api` on the session sandbox."""
    return make_api(sandbox)


@pytest.fixture(scope="session")
def seed_ids(supervisely_seed):
    """The seeded ids (the tutorial's): team, workspace, project "Lemons (Test)", dataset ds1, admin."""
    return supervisely_seed


@pytest.fixture
def sv(sandbox):
    """A provider connected to the sandbox as its admin; no retry sleeps."""
    with connect(url_of(sandbox), token=sandbox.token, retry_sleep=0) as backend:
        yield backend


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
