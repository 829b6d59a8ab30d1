"""Fixtures for the Supervisely sandbox tests: one seeded sandbox per session, fresh ones where ids matter."""

from __future__ import annotations

import uuid

import pytest


def _make_api(handle, token: str | None = None):
    """A real `sly.Api` on the sandbox; two quick attempts, so a sandbox fault cannot hide in SDK retries."""
    import supervisely as sly

    return sly.Api(
        handle.server_address,
        handle.token if token is None else token,
        retry_count=2,
        retry_sleep_sec=0,
        ignore_task_id=True,
    )


@pytest.fixture(scope="session")
def make_api():
    """make_api(handle, token=None) -> sly.Api on that sandbox."""
    return _make_api


@pytest.fixture(scope="session")
def sandbox():
    """The seeded sandbox shared by the session (tests make their own users, jobs, projects in it)."""
    from annobridge_supervisely.sandbox import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture(scope="session")
def api(sandbox):
    """`sly.Api` on the session sandbox."""
    return _make_api(sandbox)


@pytest.fixture(scope="module")
def pristine_api():
    """`sly.Api` on a sandbox of the test module's own, for reading the seed exactly as it was made."""
    from annobridge_supervisely.sandbox import running_sandbox

    with running_sandbox() as handle:
        yield _make_api(handle)


@pytest.fixture
def fresh_sandbox():
    """A sandbox of its own, for tests that check the tutorial's exact ids."""
    from annobridge_supervisely.sandbox import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def unique():
    """A short unique suffix for names and logins in the shared sandbox."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def seed_ids():
    """The seeded ids (the tutorial's): team, workspace, project "Lemons (Test)", dataset ds1, admin."""
    from types import SimpleNamespace

    return SimpleNamespace(team=8, workspace=349, project=5555, dataset=10555, admin=7)


@pytest.fixture
def labelers(api, seed_ids, unique):
    """labelers(count=2) -> new restricted users, annotators of the demo team (the tutorial's step 1)."""

    def make(count: int = 2, on=None):
        on = api if on is None else on
        users = []
        for k in range(1, count + 1):
            user = on.user.create(login=f"labeler_{k}_{unique}", password=f"{k}{k}{k}{k}abc", is_restricted=True)
            on.user.add_to_team(user.id, seed_ids.team, on.role.DefaultRole.ANNOTATOR)
            users.append(user)
        return users

    return make
