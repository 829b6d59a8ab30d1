"""Jobs, assignments and verdicts carried between two memory servers: migrate() and carry_jobs without a server."""

from __future__ import annotations

import pytest

import annobridge
from annobridge import JobSpec, ReviewStatus, Role

from . import memory_provider as mp
from . import migrate_memory as mm


@pytest.fixture
def fruit(memory_plugin):
    """alpha's "Fruit" with one job: anna labels items 0-2, bob reviews, item 0 accepted and item 1 rejected."""
    mm.seed()
    alpha = annobridge.connect(mm.ALPHA)
    project = alpha.projects.find("Fruit")
    items = [i.id for i in alpha.items.list(project_id=project.id)][:3]
    anna, bob = alpha.users.get("anna").id, alpha.users.get("bob").id
    (job,) = alpha.jobs.create(JobSpec(name="fruit-labeling", project_id=project.id, annotators=[anna], reviewer=bob,
                                       item_ids=items))
    alpha.reviews.set_many(job.id, {items[0]: ReviewStatus.ACCEPTED, items[1]: ReviewStatus.REJECTED})
    yield project, items
    mp.reset()


def test_a_job_becomes_a_job_with_its_people_items_and_verdicts(fruit, tmp_path):
    project, items = fruit
    report = annobridge.migrate(mm.ALPHA, mm.BETA, project=project.id, target_project="Fruit copy",
                                ledger=tmp_path / "l.sqlite")
    beta = annobridge.connect(mm.BETA)
    target = beta.projects.find("Fruit copy")
    (job,) = beta.jobs.list(project_id=target.id)
    carried = beta.jobs.get(job.id)
    assert carried.name == "fruit-labeling"
    assert [u.login for u in carried.assignees] == ["anna"] and [u.login for u in carried.reviewers] == ["bob"]
    keys = {str(v): k for k, v in beta.transfer.present(target.id).items()}
    assert sorted(keys[str(e.id)] for e in carried.entities) == sorted(str(i) for i in items)
    verdicts = {keys[str(e.id)]: e.review_status for e in carried.entities}
    assert verdicts == {str(items[0]): ReviewStatus.ACCEPTED, str(items[1]): ReviewStatus.REJECTED,
                        str(items[2]): ReviewStatus.NONE}
    roles = {(a.user_id, a.role) for a in beta.assignments.list(job.id)}
    assert roles == {(beta.users.get("anna").id, Role.ANNOTATOR), (beta.users.get("bob").id, Role.REVIEWER)}
    assert (report.tally("jobs").carried, report.tally("assignments").carried, report.tally("reviews").carried) == (
        1, 6, 2)

    again = annobridge.migrate(mm.ALPHA, mm.BETA, project=project.id, target_project="Fruit copy",
                               ledger=tmp_path / "l.sqlite")
    assert again.already_done == 4 and again.runs == 2
    assert again.counts == report.counts  # the report covers the whole migration: the job the first run carried
    assert len(beta.jobs.list(project_id=target.id)) == 1


def test_a_dry_run_carries_nothing_and_counts_the_job(fruit, tmp_path):
    project, _ = fruit
    report = annobridge.migrate(mm.ALPHA, mm.BETA, project=project.id, target_project="Fruit dry",
                                ledger=tmp_path / "l.sqlite", dry_run=True)
    assert report.tally("jobs").carried == 1
    assert annobridge.connect(mm.BETA).projects.find("Fruit dry") is None
    assert mp.server(mm.BETA).jobs == {}


def test_a_run_killed_after_the_job_was_made_does_not_make_it_twice(fruit, tmp_path):
    project, _ = fruit
    mp.arm(mm.BETA, mp.Fault(at=1, when="after", ops=("jobs.create",)))
    with pytest.raises(mp.Killed):
        annobridge.migrate(mm.ALPHA, mm.BETA, project=project.id, target_project="Fruit copy",
                           ledger=tmp_path / "l.sqlite")
    mp.arm(mm.BETA, None)
    report = annobridge.migrate(mm.ALPHA, mm.BETA, project=project.id, target_project="Fruit copy",
                                ledger=tmp_path / "l.sqlite")
    beta = annobridge.connect(mm.BETA)
    (job,) = beta.jobs.list(project_id=beta.projects.find("Fruit copy").id)
    assert report.tally("jobs").carried == 1
    assert {e.review_status for e in beta.jobs.get(job.id).entities} == {
        ReviewStatus.ACCEPTED, ReviewStatus.REJECTED, ReviewStatus.NONE}
