"""Shared fixtures: one real Label Studio server for the session (the plugin's `labelstudio_server`),
a connected backend, a fresh job per test, and the Enterprise stand-in in front of the same server."""

from __future__ import annotations

import uuid

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.testing.conformance import SAMPLE_SCHEMA


@pytest.fixture(scope="session")
def server(labelstudio_server):
    return labelstudio_server


@pytest.fixture(scope="session")
def backend(server):
    with annobridge.connect(server.backend_url, token=server.token) as connected:
        yield connected


@pytest.fixture
def job(backend):
    """A new job (LS project) with SAMPLE_SCHEMA; deleted after the test."""
    created, = backend.jobs.create(JobSpec(name=f"test-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
    yield created
    try:
        backend.jobs.delete(created.id)
    except annobridge.NotFound:
        pass


@pytest.fixture(scope="session")
def standin(server):
    from annobridge_labelstudio.testing.enterprise import EnterpriseStandIn

    with EnterpriseStandIn(server.url) as running:
        yield running


@pytest.fixture(scope="session")
def ee_backend(standin, server):
    """A backend that sees an Enterprise server: the stand-in in front of the real one."""
    with annobridge.connect("labelstudio+" + standin.url, token=server.token) as connected:
        yield connected


def _images(n: int, start: int = 0) -> list[dict]:
    return [{"image": f"http://example.invalid/img{i}.jpg", "n": i} for i in range(start, start + n)]


def _choice(value: str = "small") -> list[dict]:
    return [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": [value]}}]


class _Counter:
    """Counts the requests a backend sends while the block runs: `with counted(backend) as c: ...; c.count`."""

    def __init__(self, backend):
        self.backend = backend
        self.count = 0

    def __enter__(self):
        self.start = self.backend.connection.requests
        return self

    def __exit__(self, *exc):
        self.count = self.backend.connection.requests - self.start


@pytest.fixture
def images():
    """images(n) -> n task dicts with an image URL."""
    return _images


@pytest.fixture
def choice():
    """choice("small") -> an annotation result for SAMPLE_SCHEMA's item tag `size`."""
    return _choice


@pytest.fixture
def counted():
    return _Counter
