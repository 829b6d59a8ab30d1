"""Every list returns everything: the sandbox is made to page at two entities, and the provider still sees them all."""

from __future__ import annotations

import pytest

from annobridge.models import JobSpec

from .provider_support import unique


@pytest.fixture
def small_pages(monkeypatch):
    """The sandbox answers two entities a page unless asked otherwise (it runs in this process)."""
    from annobridge_sandbox_supervisely import paging

    monkeypatch.setattr(paging, "DEFAULT_PER_PAGE", 2)


def test_lists_are_not_capped_at_a_page(sv, world, small_pages):
    jobs = sv.jobs.create(JobSpec(name=unique("pages"), project_id=world.project_id, annotators=world.labelers))
    try:
        first = sv.api.post("images.list", {"datasetId": world.dataset_id}).json()
        assert (first["pagesCount"], len(first["entities"])) == (3, 2), "the sandbox pages at two"
        assert len(list(sv.items.list(dataset_id=world.dataset_id))) == 6
        assert len(list(sv.items.list(project_id=world.project_id))) == 6
        assert {j.id for j in jobs} <= {j.id for j in sv.jobs.list()}
        assert len(sv.jobs.list()) > 2
        assert len(sv.users.list()) > 2
        assert len(list(sv.items.list(job_id=jobs[0].id))) == len(jobs[0].entities)
    finally:
        sv.jobs.delete_many([j.id for j in jobs])
