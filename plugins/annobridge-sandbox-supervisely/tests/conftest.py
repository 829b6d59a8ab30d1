"""Fixtures for the sandbox's tests: one seeded sandbox per session, fresh ones where ids matter.

The sandboxes and the SDK clients come from this distribution's pytest plugin (testing/plugin.py); the short
names below are what the tests ask for.
"""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="session")
def make_api(make_supervisely_api):
    """make_api(handle, token=None) -> sly.Api on that sandbox."""
    return make_supervisely_api


@pytest.fixture(scope="session")
def sandbox(supervisely_sandbox):
    """The seeded sandbox shared by the session (tests make their own users, jobs, projects in it)."""
    return supervisely_sandbox


@pytest.fixture(scope="session")
def api(sandbox, make_api):
    """`sly.Api` on the session sandbox."""
    return make_api(sandbox)


@pytest.fixture(scope="module")
def pristine_api(make_api):
    """`sly.Api` on a sandbox of the test module's own, for reading the seed exactly as it was made."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield make_api(handle)


@pytest.fixture
def fresh_sandbox(fresh_supervisely_sandbox):
    """A sandbox of its own, for tests that check the tutorial's exact ids."""
    return fresh_supervisely_sandbox


@pytest.fixture
def unique():
    """A short unique suffix for names and logins in the shared sandbox."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def seed_ids(supervisely_seed):
    """The seeded ids (the tutorial's): team, workspace, project "Lemons (Test)", dataset ds1, admin."""
    return supervisely_seed


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
