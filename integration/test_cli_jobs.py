"""`annobridge jobs` on the Supervisely sandbox, the real Label Studio server (Community) and the Enterprise stand-in in
front of it: output, --json shapes, exit codes; in this process (Local), and through the console entry point where a
process shows it (the ids `jobs create` prints, a wait running while the job changes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest

import annobridge
from annobridge import JobSpec, ReviewStatus

from .cli_fixtures import (  # noqa: F401 - fixtures
    LEMONS, ee_cli, error_line, ids_of, ls_cli, ls_project, ls_shell, offline, offline_cli, run_all, sv, sv_cli,
    sv_shell,
)

JOB_KEYS = {"id", "name", "status", "project_id", "items_count", "assignees", "reviewers", "archived", "backend"}


# ---------------------------------------------------------------------------------------------- Supervisely


@pytest.fixture(scope="module")
def sv_jobs(sv, sv_shell, tmp_path_factory):  # noqa: F811
    """Two jobs made by `jobs create` for lab1 and lab2 over the lemons, with every tutorial setting."""
    readme = tmp_path_factory.mktemp("readme") / "manual.md"
    readme.write_text("# How to label lemons\n", encoding="utf-8")
    done = sv_shell.run(
        "jobs", "create", "lemons", "--project", "Lemons (Test)", "--annotator", "lab1", "-a", "102",
        "--reviewer", "admin", "--classes", "lemon", "--tags", "size,origin", "--objects-limit", "10",
        "--tags-limit", "20", "--readme", str(readme), "--description", "short description",
    )
    return ids_of(done)


def test_create_prints_one_id_a_line_per_annotator(sv_jobs, sv_cli):
    assert len(sv_jobs) == 2
    first = sv_cli.json("jobs", "get", str(sv_jobs[0]))
    assert JOB_KEYS <= set(first)
    assert first["classes_to_label"] == ["lemon"] and first["tags_to_label"] == ["size", "origin"]
    assert (first["objects_limit_per_item"], first["tags_limit_per_item"]) == (10, 20)
    assert first["readme"] == "# How to label lemons\n" and first["description"] == "short description"
    assert [u["login"] for u in first["assignees"]] == ["lab1"] and [u["login"] for u in first["reviewers"]] == ["admin"]
    assert first["status"] == "pending" and first["project_id"] == LEMONS
    assert {e["review_status"] for e in first["entities"]} == {"none"}


def test_create_json_prints_the_jobs_and_items_choose_the_images(sv, sv_cli):
    images = [i.id for i in sv.items.list(project_id=LEMONS)][:2]
    made = sv_cli.json("jobs", "create", "two images", "-p", str(LEMONS), "-a", "lab1",
                         "--items", ",".join(map(str, images)))
    assert isinstance(made, list) and len(made) == 1 and JOB_KEYS <= set(made[0])
    assert sorted(e["id"] for e in sv_cli.json("jobs", "get", str(made[0]["id"]))["entities"]) == sorted(images)


def test_get_shows_the_settings_and_the_items(sv_jobs, sv_cli):
    done = sv_cli.run("jobs", "get", str(sv_jobs[0]))
    assert done.returncode == 0, done.stderr
    for word in ("lemons", "lab1", "admin", "size, origin", "items of job", "IMG_", "pending"):
        assert word in done.stdout


def test_list_filters_and_its_json_and_jsonl(sv_jobs, sv_cli):
    listed = sv_cli.json("jobs", "list", "--project", "Lemons (Test)", "--assigned-to", "lab2")
    assert [j["id"] for j in listed] == [sv_jobs[1]] and JOB_KEYS <= set(listed[0])
    mine = sv_cli.run("jobs", "list", "--created-by", "admin", "--jsonl")
    assert mine.returncode == 0, mine.stderr
    assert set(sv_jobs) <= {json.loads(line)["id"] for line in mine.stdout.splitlines()}
    table = sv_cli.run("jobs", "list", "-p", str(LEMONS))
    assert table.returncode == 0 and "assignees" in table.stdout and "lab2" in table.stdout


def test_status_and_wait_for_a_status_it_has(sv_jobs, sv_cli):
    status, asked, waited = run_all(
        sv_cli,
        ("jobs", "status", str(sv_jobs[0])),
        ("jobs", "status", str(sv_jobs[0]), "--json"),
        ("jobs", "wait", *map(str, sv_jobs), "--status", "pending", "--interval", "0.1"),
    )
    assert status.returncode == 0 and status.stdout == "pending\n"
    assert json.loads(asked.stdout) == {"id": sv_jobs[0], "status": "pending"}
    assert waited.returncode == 0 and waited.stdout.splitlines() == [f"job {j} is pending" for j in sv_jobs]


def test_wait_times_out_with_one_line_and_exit_8(sv_jobs, sv_cli):
    done = sv_cli.run("jobs", "wait", str(sv_jobs[0]), "--status", "on_review", "--timeout", "0.3",
                        "--interval", "0.1")
    assert done.returncode == 8 and done.stdout == ""  # TimedOut: nothing failed, the job is not there yet
    line = error_line(done)
    assert "timed out" in line and "on_review" in line and f"job {sv_jobs[0]} pending" in line
    assert "(a longer --timeout?)" in line


def test_wait_returns_once_the_status_comes(sv, sv_shell):  # noqa: F811
    (job,) = sv.jobs.create(JobSpec(name="waited", project_id=LEMONS, annotators=["lab1"]))
    args = ["jobs", "wait", str(job.id), "--status", "on_review", "--interval", "0.2", "--timeout", "300",
            "--json", "--backend", sv_shell.url, "--token-env", "ANNOBRIDGE_TEST_TOKEN"]
    waiting = subprocess.Popen([sys.executable, "-m", "annobridge.cli", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=sv_shell.env)
    try:
        time.sleep(1)
        assert waiting.poll() is None  # still waiting: the job is pending
        sv.jobs.set_status(job.id, "on_review")
        out, err = waiting.communicate(timeout=120)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 0, err
    (shown,) = json.loads(out)  # stdout is the JSON alone: the spinner went to stderr
    assert shown["id"] == job.id and shown["status"] == "on_review"


def test_stats_and_activity_after_a_verdict(sv, sv_jobs, sv_cli):
    job = sv_jobs[0]
    item = sv.reviews.list(job)[0].id
    sv.reviews.set(job, item, ReviewStatus.REJECTED)
    stats, table, activity = run_all(
        sv_cli, ("jobs", "stats", str(job), "--json"), ("jobs", "stats", str(job)),
        ("jobs", "activity", str(job), "--json"),
    )
    data = json.loads(stats.stdout)
    assert {"job_id", "items", "annotated", "accepted", "rejected", "users"} <= set(data)
    assert data["job_id"] == job and data["rejected"] == 1
    assert {(u["login"], u["role"]) for u in data["users"]} == {("lab1", "annotator"), ("admin", "reviewer")}
    assert {"user_id", "login", "role", "items", "annotated", "accepted", "rejected"} <= set(data["users"][0])
    assert table.returncode == 0 and "per person" in table.stdout and "unreviewed" in table.stdout
    events = json.loads(activity.stdout)
    assert any(e["item_id"] == item and e["action"] for e in events)


def test_restart_and_clone_print_the_new_ids(sv, sv_jobs, sv_cli):
    job = sv_jobs[0]
    sv.reviews.set(job, sv.reviews.list(job)[0].id, ReviewStatus.REJECTED)  # one item to restart with
    again = ids_of(sv_cli.run("jobs", "restart", str(job), "--assignee", "lab2", "--name", "again"))
    assert len(again) == 1
    made = sv_cli.json("jobs", "get", str(again[0]))
    assert made["name"] == "again" and made["items_count"] == 1 and made["assignees"][0]["login"] == "lab2"
    copies = ids_of(sv_cli.run("jobs", "clone", str(job), "--name", "copy", "-a", "lab1", "-a", "lab2"))
    assert len(copies) == 2
    cloned = sv_cli.json("jobs", "clone", str(job), "--with-annotations")
    assert len(cloned) == 1 and cloned[0]["classes_to_label"] == ["lemon"]


def test_restart_without_rejected_items_and_clone_without_annotations_are_refused(sv_jobs, sv_cli):
    nothing, unsupported = run_all(
        sv_cli, ("jobs", "restart", str(sv_jobs[1])), ("jobs", "clone", str(sv_jobs[1]), "--without-annotations"),
    )
    assert nothing.returncode == 2 and "no rejected items" in error_line(nothing)
    assert unsupported.returncode == 6 and "copies label the same images" in error_line(unsupported)


def test_stop_archive_and_delete(sv, sv_cli):
    jobs = [j.id for j in sv.jobs.create(JobSpec(name="to go", project_id=LEMONS, annotators=["lab1", "lab2"]))]
    missing = sv_cli.run("jobs", "stop", str(jobs[0]), "999999")  # every job is found before the first is stopped
    assert missing.returncode == 3 and "999999" in error_line(missing)
    assert sv.jobs.status(jobs[0]).value == "pending"
    stopped = sv_cli.run("jobs", "stop", *map(str, jobs))
    assert stopped.returncode == 0 and stopped.stdout.splitlines() == [f"stopped job {j}" for j in jobs]
    assert {sv.jobs.status(j).value for j in jobs} == {"stopped"}
    archived = sv_cli.run("jobs", "archive", str(jobs[0]))
    assert archived.returncode == 0 and archived.stdout == f"archived job {jobs[0]}\n"
    shown, every = run_all(sv_cli, ("jobs", "list", "--json"), ("jobs", "list", "--archived", "--json"))
    assert jobs[0] not in {j["id"] for j in json.loads(shown.stdout)}
    assert {j["id"]: j["archived"] for j in json.loads(every.stdout)}[jobs[0]] is True

    asked = sv_cli.run("jobs", "delete", *map(str, jobs))  # no terminal to ask on: --yes is needed
    assert asked.returncode == 2 and "--yes" in error_line(asked)
    assert sv.jobs.get(jobs[0]).id == jobs[0]
    deleted = sv_cli.run("jobs", "delete", *map(str, jobs), "--yes")
    assert deleted.returncode == 0 and deleted.stdout.splitlines() == [f"deleted job {j}" for j in jobs]
    gone = sv_cli.run("jobs", "get", str(jobs[0]))
    assert gone.returncode == 3 and "not found" in error_line(gone)


def test_a_job_by_name_and_names_that_are_not_there(sv, sv_jobs, sv_cli):
    sv.jobs.create(JobSpec(name="unique name", project_id=LEMONS, annotators=["lab1"]))
    sv.jobs.create(JobSpec(name="twice", project_id=LEMONS, annotators=["lab1"]))
    sv.jobs.create(JobSpec(name="twice", project_id=LEMONS, annotators=["lab2"]))
    found, twice, missing, nobody, no_project, no_job = run_all(
        sv_cli,
        ("jobs", "status", "unique name"),
        ("jobs", "status", "twice"),
        ("jobs", "status", "no such job"),
        ("jobs", "list", "--assigned-to", "nobody"),
        ("jobs", "create", "x", "--project", "no such project", "-a", "lab1"),
        ("jobs", "stats", "999999"),
    )
    assert found.returncode == 0 and found.stdout == "pending\n"
    assert twice.returncode == 5 and "use an id" in error_line(twice)
    for done in (missing, nobody, no_project, no_job):
        assert done.returncode == 3, done.stderr
        error_line(done)


def test_bad_settings_the_backend_checks_write_nothing(sv, sv_cli):
    before = len(sv.jobs.list(include_archived=True))
    no_annotator, bad_class, stranger = run_all(
        sv_cli,
        ("jobs", "create", "x", "--project", str(LEMONS)),
        ("jobs", "create", "x", "--project", str(LEMONS), "-a", "lab1", "--classes", "banana"),
        ("jobs", "create", "x", "--project", str(LEMONS), "-a", "lab1", "--items", "1,2"),
    )
    assert no_annotator.returncode == 2 and "annotator" in error_line(no_annotator)
    assert bad_class.returncode == 2 and "banana" in error_line(bad_class)
    assert stranger.returncode != 0
    error_line(stranger)
    assert len(sv.jobs.list(include_archived=True)) == before


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, says",
    [
        (("jobs", "wait", "1", "--status", "finished"), "--status 'finished'"),
        (("jobs", "wait", "1", "--status", "on_review", "--timeout", "-1"), "--timeout"),
        (("jobs", "wait", "1", "--status", "on_review", "--interval", "0"), "--interval"),
        (("jobs", "create", "x", "-p", "1", "--item-range", "5:1"), "after end"),
        (("jobs", "create", "x", "-p", "1", "--item-range", "a:b"), "START:END"),
        (("jobs", "create", "x", "-p", "1", "--item-range", "\u00b2:3"), "START:END"),
        (("jobs", "create", "x", "-p", "1", "--items", "1,,2"), "--items"),
        (("jobs", "create", "x", "-p", "1", "--items", "1,1"), "given twice"),
        (("jobs", "create", "x", "-p", "1", "--items", "1", "--item-range", "0:1"), "not both"),
        (("jobs", "create", "x", "-p", "1", "--objects-limit", "-1"), "--objects-limit"),
        (("jobs", "create", "x", "-p", "1", "--classes", "a,,b"), "--classes"),
        (("jobs", "create", "x", "-p", "1", "--readme", "/no/such/readme.md"), "--readme"),
        (("jobs", "create", " ", "-p", "1"), "NAME"),
        (("jobs", "create", "x" * 300, "-p", "1"), "at most 255"),
        (("jobs", "create", "x", "-p", "1", "-a", "ann", "-a", "ann"), "ann given twice"),
        (("jobs", "restart", "1", "--name", " "), "--name"),
        (("jobs", "clone", "1", "-a", "bob", "-a", "bob"), "given twice"),
        (("jobs", "list", "--assigned-to", " "), "--assigned-to"),
        (("jobs", "stop", " "), "JOB"),
        (("jobs", "delete", "1"), "--yes"),
    ],
)
def test_bad_input_exits_2_before_connecting(offline_cli, args, says):
    done = offline_cli.run(*args)
    assert done.returncode == 2, done.stderr
    assert says in error_line(done)


def test_the_offline_backend_would_have_failed_with_7(offline_cli):
    done = offline_cli.run("jobs", "status", "1")
    assert done.returncode == 7, done.stderr


def test_a_usage_error_exits_2(offline_cli):
    assert offline_cli.run("jobs", "create", "x").returncode == 2  # --project is required
    assert offline_cli.run("jobs", "wait", "1").returncode == 2  # --status is required


# ---------------------------------------------------------------------------------------------- Label Studio


def test_label_studio_create_get_list_status_stats_clone_delete(ls_project, ls_cli):
    backend, project, tasks = ls_project
    name = f"ls job {uuid.uuid4().hex[:6]}"
    (job,) = ids_of(ls_cli.run("jobs", "create", name, "--project", project.name, "--classes", "lemon",
                                 "--items", f"{tasks[0]},{tasks[1]}", "--description", "two tasks"))
    shown, listed, status, stats, waited = run_all(
        ls_cli,
        ("jobs", "get", str(job), "--json"),
        ("jobs", "list", "--project", str(project.id), "--json"),
        ("jobs", "status", str(job)),
        ("jobs", "stats", str(job), "--json"),
        ("jobs", "wait", name, "--status", "pending"),
    )
    data = json.loads(shown.stdout)
    assert JOB_KEYS <= set(data) and data["backend"] == "labelstudio"
    assert (data["name"], data["items_count"], data["project_id"], data["description"]) == (name, 2, project.id, "two tasks")
    assert data["classes_to_label"] == ["lemon"]
    assert job in {j["id"] for j in json.loads(listed.stdout)}
    assert status.stdout == "pending\n"
    assert json.loads(stats.stdout)["items"] == 2
    assert waited.returncode == 0 and waited.stdout == f"job {job} is pending\n"

    (copy,) = ids_of(ls_cli.run("jobs", "clone", str(job), "--name", f"{name} copy"))
    assert backend.jobs.get(copy).items_count == 2
    deleted = ls_cli.run("jobs", "delete", str(job), str(copy), "--yes")
    assert deleted.returncode == 0 and deleted.stdout.splitlines() == [f"deleted job {job}", f"deleted job {copy}"]


def test_label_studio_community_says_why_it_cannot(ls_project, ls_cli):
    backend, project, _ = ls_project
    job = str(project.id)
    before = len(backend.projects.list())
    checks = {
        ("jobs", "stop", job): "derived from its tasks",
        ("jobs", "archive", job): "archives workspaces",
        ("jobs", "restart", job): "needs Label Studio Enterprise",
        ("jobs", "activity", job): "needs Label Studio Enterprise",
        ("jobs", "list", "--assigned-to", "1"): "task assignment needs Label Studio Enterprise",
        ("jobs", "create", "with people", "-p", job, "-a", "1"): "annotators: task assignment",
        ("jobs", "create", "with limits", "-p", job, "--objects-limit", "3"): "objects_limit_per_item",
        ("jobs", "create", "with tags", "-p", job, "--include-tags", "big"): "include_items_with_tags",
        ("jobs", "create", "for nobody", "-p", job, "-r", "no such user"): "reviewer: task assignment",
        ("jobs", "list", "--assigned-to", "no such user"): "assigned_to: task assignment",
        ("jobs", "restart", job, "-a", "no such user"): "needs Label Studio Enterprise",
        ("jobs", "stop", "999999"): "derived from its tasks",
    }
    for (args, says), done in zip(checks.items(), run_all(ls_cli, *checks)):
        assert done.returncode == 6, (args, done.stderr)
        line = error_line(done)
        assert says in line and "Community" in line, line
    assert len(backend.projects.list()) == before  # nothing was made


def test_label_studio_enterprise_restart_activity_and_assigned_to(ls_project, ee_cli):
    backend, project, tasks = ls_project
    with annobridge.connect(ee_cli.url, token=ee_cli.token) as ee:
        me = ee.users.me()
        (job,) = ids_of(ee_cli.run("jobs", "create", f"ee {uuid.uuid4().hex[:6]}", "-p", str(project.id),
                                     "-a", me.login))
        task = next(iter(ee.items.list(job_id=job))).id
        ee.annotations.create_json(task, [{"from_name": "size", "to_name": "image", "type": "choices",
                                           "value": {"choices": ["small"]}}])
        ee.reviews.set(job, task, ReviewStatus.REJECTED)
        listed, activity, restarted = run_all(
            ee_cli,
            ("jobs", "list", "--assigned-to", me.login, "--json"),
            ("jobs", "activity", str(job), "--jsonl"),
            ("jobs", "restart", str(job), "--json"),
        )
        assert job in {j["id"] for j in json.loads(listed.stdout)}
        assert activity.returncode == 0 and all("action" in json.loads(line) for line in activity.stdout.splitlines())
        (again,) = json.loads(restarted.stdout)
        assert again["items_count"] == 1 and again["name"].endswith("(#2)")
        for made in (again["id"], job):
            ee.jobs.delete(made)
