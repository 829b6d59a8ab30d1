"""Helpers of the provider tests: connecting a provider to a sandbox, the seeded world, unique names, call counts.

Test modules import them package-relative (`from .provider_support import connect`); the fixtures built on
them (`sv`, `world`, `fresh_project`) are in conftest.py.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field

from annobridge.urls import BackendURL
from annobridge_supervisely import SuperviselyProvider

__all__ = ["SEED_TEAM", "SEED_WORKSPACE", "World", "connect", "counted", "unique", "url_of"]


SEED_TEAM, SEED_WORKSPACE = 8, 349  # the seed's "Demo Team" and its workspace; other tests add more of both


def connect(url: str, token: str | None = None, **options) -> SuperviselyProvider:
    """The provider for `url` without the plugin registry (so another plugin's state cannot break these tests)."""
    options.setdefault("team_id", SEED_TEAM)
    options.setdefault("workspace_id", SEED_WORKSPACE)
    return SuperviselyProvider.open(BackendURL.parse(url), token, **options)


def url_of(sandbox) -> str:
    """The annobridge URL of a running sandbox: supervisely+http://127.0.0.1:PORT."""
    return "supervisely+" + sandbox.server_address.rstrip("/")


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


def unique(prefix: str) -> str:
    """`prefix` with a short random suffix, for names that must not collide between tests."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


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
