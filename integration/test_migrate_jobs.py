"""Supervisely jobs in a migration: task assignments and reviews on Label Studio Enterprise, counted drops on Community."""

from __future__ import annotations

import pytest

import annobridge
from annobridge import ReviewStatus, Role

from .migrate_fixtures import ee, full_map, job, ls, name, sandbox, sv  # noqa: F401 - fixtures

LEMONS, DATASET = 5555, 10555


def test_jobs_become_assignments_and_reviews_on_enterprise(sv, ee, job, name, tmp_path):
    made, login, items = job
    users = full_map(sv, ee, {"admin": ee.users.me().login, login: login})
    report = annobridge.migrate(
        sv, ee, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite", user_map=users
    )
    target = int(report.target_project)
    tasks = {t["data"]["annobridge_source"]: t["id"] for t in ee.items.tasks(target, include=None)}
    ids = {u.login: u.id for u in ee.users.list()}
    expected = {(tasks[str(i)], ids[login], Role.ANNOTATOR) for i in items}
    expected |= {(tasks[str(i)], ids[ee.users.me().login], Role.REVIEWER) for i in items}
    assert {(a.item_id, a.user_id, a.role) for a in ee.assignments.list(target)} == expected
    verdicts = {e.id: e.review_status for e in ee.reviews.list(target)}
    assert verdicts[tasks[str(items[0])]] is ReviewStatus.ACCEPTED
    assert verdicts[tasks[str(items[1])]] is ReviewStatus.REJECTED
    assert report.tally("assignments").carried == 8 and report.tally("reviews").carried == 2
    assert report.tally("jobs").approximated == 1  # a job becomes assignments inside the one project

    again = annobridge.migrate(
        sv, ee, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite", user_map=users
    )
    assert again.runs == 2 and again.counts == report.counts  # the ledger knows the job was carried, and its counts
    assert len(ee.assignments.list(target)) == 8


def test_jobs_are_counted_as_dropped_on_community(sv, ls, job, name, tmp_path):
    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "l.sqlite")
    assert report.tally("jobs").dropped == 1
    assert report.tally("assignments").dropped == 8  # 4 items x (annotator + reviewer)
    assert report.tally("reviews").dropped == 2
    assert any("needs Label Studio Enterprise" in note for note in report.notes)


def test_enterprise_assignments_and_verdicts_become_supervisely_jobs(sv, ee, job, name, tmp_path):
    made, login, items = job
    admin = ee.users.me().login
    there = annobridge.migrate(
        sv,
        ee,
        project=LEMONS,
        target_project=name,
        ledger=tmp_path / "there.sqlite",
        user_map=full_map(sv, ee, {"admin": admin, login: login}),
    )
    back = annobridge.migrate(
        ee,
        sv,
        project=there.target_project,
        target_project=name + " back",
        ledger=tmp_path / "back.sqlite",
        user_map=full_map(ee, sv, {admin: "admin", login: login}),
    )
    (copy,) = sv.jobs.list(project_id=int(back.target_project))
    copy = sv.jobs.get(copy.id)
    assert [u.login for u in copy.assignees] == [login]
    assert [u.login for u in copy.reviewers] == ["admin"]  # the reviewer assignments, mapped back
    names = {i.id: i.name for i in sv.items.list(project_id=int(back.target_project))}
    original = {e.name: e.review_status for e in sv.jobs.get(made.id).entities}
    assert {names[e.id]: e.review_status for e in copy.entities} == original  # the four items, both verdicts
    assert (back.tally("jobs").carried, back.tally("assignments").carried, back.tally("reviews").carried) == (1, 8, 2)


def _reviews_of(ee, target) -> dict[int, list[bool]]:
    """task id -> the verdicts of its annotations' reviews, oldest first, as the stand-in holds them."""
    out = {}
    for task in ee.items.tasks(target, include=("id", "annotations")):
        out[task["id"]] = [r["accepted"] for a in task["annotations"] for r in ee.reviews.of_annotation(a["id"])]
    return out


def test_verdicts_go_in_bulk_and_a_rerun_without_the_ledger_gives_none_twice(sv, ee, job, name, tmp_path):
    made, login, items = job
    users = full_map(sv, ee, {"admin": ee.users.me().login, login: login})
    first = annobridge.migrate(
        sv, ee, project=LEMONS, target_project=name, ledger=tmp_path / "a.sqlite", user_map=users
    )
    target = int(first.target_project)
    before = _reviews_of(ee, target)
    assert sorted(v for v in before.values() if v) == [[False], [True]]
    # the job was carried but its ledger entry lost (a run killed before it was marked done): carried again
    again = annobridge.migrate(
        sv, ee, project=LEMONS, target_project=name, ledger=tmp_path / "b.sqlite", user_map=users, into_existing=True
    )
    assert again.already_present == 6 and again.tally("reviews").carried == 2
    assert _reviews_of(ee, target) == before  # no second identical review
    assert len(ee.assignments.list(target)) == 8
    tasks = {t["data"]["annobridge_source"]: t["id"] for t in ee.items.tasks(target, include=("id", "data"))}
    verdicts = {tasks[str(items[0])]: ReviewStatus.ACCEPTED, tasks[str(items[1])]: ReviewStatus.ACCEPTED}
    start = ee.connection.requests
    assert ee.reviews.set_many(target, verdicts) == 1  # only the rejected one changes
    assert ee.connection.requests - start == 3  # the tasks' annotation ids, the reviews, the one new review
    assert _reviews_of(ee, target)[tasks[str(items[1])]] == [False, True]
    with pytest.raises(annobridge.ValidationError, match=r"tasks \[999999\] are not in project"):
        ee.reviews.set_many(target, {999999: ReviewStatus.REJECTED})
