"""`annobridge assign` on the Supervisely sandbox, the real Label Studio server (Community: exit 6 with the reason) and
the Enterprise stand-in in front of it: in this process (Local), and through the console entry point once."""

from __future__ import annotations

import json

import pytest

import annobridge
from annobridge import JobSpec, ReviewStatus
from annobridge.sampling import plan_assignments

from .cli_fixtures import (  # noqa: F401 - fixtures
    LEMONS, ee_cli, error_line, ls_cli, ls_project, ls_shell, offline, offline_cli, sv, sv_cli, sv_shell,
)

PLAN_KEYS = {"job_id", "role", "dry_run", "candidates", "summary", "plan", "jobs"}


def pairs(plan) -> set[tuple]:
    return {(a["item_id"], a["user_id"], a["role"]) for a in plan}


@pytest.fixture(scope="module")
def template(sv):
    """A job over the six lemons for lab1: the template the plans are applied to (with users' ids)."""
    (job,) = sv.jobs.create(JobSpec(name="template", project_id=LEMONS, annotators=["lab1"]))
    ids = {u.login: u.id for u in sv.users.list()}
    return job, [i.id for i in sv.items.list(job_id=job.id)], ids


# ---------------------------------------------------------------------------------------------- Supervisely


def test_sampling_dry_run_prints_the_plan_and_assigns_nothing(sv, sv_cli, template):
    job, items, ids = template
    before = sv.assignments.list(job.id)
    args = ("assign", "sampling", str(job.id), "-u", "lab1", "--user", "lab2", "-u", "admin", "--overlap", "2",
            "--seed", "7", "--dry-run")
    data = sv_cli.json(*args)
    assert PLAN_KEYS | {"fraction", "overlap", "seed"} <= set(data)
    assert (data["job_id"], data["role"], data["dry_run"], data["candidates"], data["jobs"]) == (
        job.id, "annotator", True, 6, [])
    assert (data["fraction"], data["overlap"], data["seed"]) == (1.0, 2, 7)
    expected = plan_assignments(items, [ids["lab1"], ids["lab2"], ids["admin"]], overlap=2, seed=7)
    assert pairs(data["plan"]) == {(a.item_id, a.user_id, "annotator") for a in expected}
    summary = data["summary"]
    assert (summary["items"], summary["assignments"]) == (6, 12)
    assert summary["max_load"] - summary["min_load"] <= 1 and set(summary["loads"]) == {str(i) for i in ids.values()}

    table = sv_cli.run(*args)
    assert table.returncode == 0, table.stderr
    assert f"job {job.id}: would assign 12 (item, user) pairs over 6 of 6 items to 3 users" in table.stdout
    assert "lab2" in table.stdout and "dry run: nothing was assigned" in table.stdout
    assert sv.assignments.list(job.id) == before


def test_sampling_applies_the_plan_its_dry_run_showed(sv, sv_cli, template):
    job, _, _ = template
    args = ("assign", "sampling", str(job.id), "-u", "lab1", "-u", "lab2", "--fraction", "0.5", "--seed", "probe")
    shown = sv_cli.json(*args, "--dry-run")
    done = sv_cli.json(*args)
    assert done["dry_run"] is False and done["plan"] == shown["plan"] and len(done["plan"]) == 3
    assert done["jobs"], "on Supervisely a plan becomes labeling jobs"
    held = {(a.item_id, a.user_id, a.role.value) for a in sv.assignments.list(job.id)}
    assert pairs(done["plan"]) <= held
    listed = {j.id for j in sv.jobs.list(project_id=LEMONS)}
    assert set(done["jobs"]) <= listed


def test_sampling_filters_the_items(sv, sv_cli, template):
    job, items, _ = template
    sv.reviews.set(job.id, items[0], ReviewStatus.ACCEPTED)
    base = ("assign", "sampling", str(job.id), "-u", "lab2", "--seed", "1", "--dry-run")
    unreviewed = sv_cli.json(*base, "--filter", "review=none,annotated=true", "--filter", "name=IMG_")
    assert unreviewed["candidates"] == 5 and items[0] not in {a["item_id"] for a in unreviewed["plan"]}
    assert unreviewed["filter"] == {"annotated": True, "review_status": "none", "name_contains": "IMG_"}
    nothing = sv_cli.run(*base, "--filter", "name=no such image")
    assert nothing.returncode == 0 and "would assign 0 (item, user) pairs over 0 of 0 items" in nothing.stdout


def test_users_gives_every_user_every_item(sv, sv_cli, template):
    job, items, ids = template
    dry = sv_cli.json("assign", "users", str(job.id), "-u", "lab1", "-u", "lab2", "--dry-run")
    assert dry["summary"]["assignments"] == 12 and dry["candidates"] == 6 and dry["dry_run"] is True

    done = sv_cli.run("assign", "users", str(job.id), "-u", "lab2", "--items", f"{items[1]},{items[2]}",
                      "--role", "reviewer")
    assert done.returncode == 0, done.stderr
    assert f"job {job.id}: assigned 2 (item, user) pairs over 2 of 2 items to 1 users as reviewer" in done.stdout
    assert "jobs: " in done.stdout
    listed = sv_cli.json("assign", "list", str(job.id))
    assert {"item_id", "user_id", "role"} == set(listed[0])
    assert {(items[1], ids["lab2"], "reviewer"), (items[2], ids["lab2"], "reviewer")} <= pairs(listed)
    lines = sv_cli.run("assign", "list", str(job.id), "--jsonl").stdout.splitlines()
    assert pairs(json.loads(line) for line in lines) == pairs(listed)


def test_people_and_jobs_that_are_not_there(sv_cli, template):
    job, _, _ = template
    nobody, no_job, same = (
        sv_cli.run("assign", "users", str(job.id), "-u", "nobody"),
        sv_cli.run("assign", "sampling", "999999", "-u", "lab1"),
        sv_cli.run("assign", "sampling", str(job.id), "-u", "admin", "-u", "7"),  # admin's id is 7
    )
    assert nobody.returncode == 3 and "nobody" in error_line(nobody)
    assert no_job.returncode == 3 and "999999" in error_line(no_job)
    assert same.returncode == 2 and "duplicate" in error_line(same)


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, says",
    [
        (("sampling", "1", "-u", "a", "--fraction", "0"), "fraction"),
        (("sampling", "1", "-u", "a", "--fraction", "1.5"), "fraction"),
        (("sampling", "1", "-u", "a", "--overlap", "0"), "overlap"),
        (("sampling", "1", "-u", "a", "-u", "b", "--overlap", "3"), "only 2 users"),
        (("sampling", "1", "-u", "a", "--role", "boss"), "--role: 'boss' is not one of"),
        (("sampling", "1", "-u", "a", "--filter", "colour=red"), "KEY=VALUE"),
        (("sampling", "1", "-u", "a", "--filter", "annotated"), "KEY=VALUE"),
        (("sampling", "1", "-u", "a", "--filter", "annotated=maybe"), "true or false"),
        (("sampling", "1", "-u", "a", "--filter", "review=good"), "none, accepted or rejected"),
        (("sampling", "1", "-u", "a", "--filter", "name="), "name="),
        (("sampling", "1", "-u", "a", "--filter", "name=a", "--filter", "name=b"), "given twice"),
        (("sampling", "1", "-u", "a", "-u", "a"), "a given twice"),
        (("users", "1", "-u", "a", "--items", "1,,2"), "--items"),
        (("users", "1", "-u", "a", "--role", "owner"), "--role"),
        (("users", "1", "-u", " "), "--user"),
    ],
)
def test_bad_input_exits_2_before_connecting(offline_cli, args, says):
    done = offline_cli.run("assign", *args)
    assert done.returncode == 2, done.stderr
    assert says in error_line(done)


def test_users_are_required(offline):
    """Through the console entry point (a fresh process): the exit code the process ends with."""
    assert offline.run("assign", "users", "1").returncode == 2
    assert offline.run("assign", "sampling", "1").returncode == 2


# ---------------------------------------------------------------------------------------------- Label Studio


def test_label_studio_community_says_why_it_cannot(ls_project, ls_cli):
    backend, project, tasks = ls_project
    job = str(project.id)
    for args in (
        ("assign", "users", job, "-u", "1"),
        ("assign", "users", job, "-u", "1", "--dry-run"),
        ("assign", "sampling", job, "-u", "1", "--dry-run"),
        ("assign", "list", job),
    ):
        done = ls_cli.run(*args)
        assert done.returncode == 6, (args, done.stderr)
        assert "task assignment needs Label Studio Enterprise; this server is Community" in error_line(done)


def test_label_studio_enterprise_assigns_tasks(ls_project, ee_cli):
    _, project, tasks = ls_project
    with annobridge.connect(ee_cli.url, token=ee_cli.token) as ee:
        me = ee.users.me()
        job = str(project.id)
        sampled = ee_cli.json("assign", "sampling", job, "-u", me.login, "--seed", "3")
        assert pairs(sampled["plan"]) == {(t, me.id, "annotator") for t in tasks} and sampled["jobs"] == []
        done = ee_cli.run("assign", "users", job, "-u", str(me.id), "--items", str(tasks[0]), "--role", "reviewer")
        assert done.returncode == 0 and "assigned 1 (item, user) pairs" in done.stdout
        listed = ee_cli.json("assign", "list", job)
        assert pairs(listed) == {(t, me.id, "annotator") for t in tasks} | {(tasks[0], me.id, "reviewer")}
        assert {(a.item_id, a.user_id, a.role.value) for a in ee.assignments.list(project.id)} == pairs(listed)
