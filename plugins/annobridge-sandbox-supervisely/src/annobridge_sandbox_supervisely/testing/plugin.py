"""pytest plugin (entry point pytest11): the Supervisely sandbox as fixtures, for any suite with this package installed.

    def test_jobs(supervisely_sandbox, make_supervisely_api):
        api = make_supervisely_api(supervisely_sandbox)          # the real SDK on the sandbox
        backend = annobridge.connect("supervisely+" + supervisely_sandbox.server_address,
                                     token=supervisely_sandbox.token)

Each sandbox serves on a free 127.0.0.1 port in a thread of the test process and holds its state in memory.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, Iterator

import pytest


def sdk_api(handle: Any, token: str | None = None) -> Any:
    """A real `sly.Api` on the sandbox `handle`; two quick attempts, so a sandbox fault cannot hide in SDK retries."""
    import supervisely as sly

    return sly.Api(
        handle.server_address,
        handle.token if token is None else token,
        retry_count=2,
        retry_sleep_sec=0,
        ignore_task_id=True,
    )


@pytest.fixture(scope="session")
def supervisely_sandbox() -> Iterator[Any]:
    """The seeded sandbox shared by the session (tests make their own users, jobs and projects in it)."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def fresh_supervisely_sandbox() -> Iterator[Any]:
    """A sandbox of the test's own, seeded, for tests that need exact ids or the seed as it was made."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture(scope="session")
def make_supervisely_api() -> Callable[..., Any]:
    """make_supervisely_api(handle, token=None) -> `sly.Api` on that sandbox."""
    return sdk_api


@pytest.fixture(scope="session")
def supervisely_seed() -> SimpleNamespace:
    """The seeded ids (the labeling-jobs tutorial's): team, workspace, project "Lemons (Test)", dataset ds1, admin."""
    from annobridge_sandbox_supervisely.seed import ADMIN_ID, DATASET_ID, PROJECT_ID, TEAM_ID, WORKSPACE_ID

    return SimpleNamespace(team=TEAM_ID, workspace=WORKSPACE_ID, project=PROJECT_ID, dataset=DATASET_ID, admin=ADMIN_ID)
