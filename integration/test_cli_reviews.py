"""`annobridge reviews` on the Supervisely sandbox, the real Label Studio server (Community: exit 6 with the reason) and
the Enterprise stand-in in front of it: in this process (Local), and through the console entry point once."""

from __future__ import annotations

import json

import pytest

import annobridge
from annobridge import JobSpec, ReviewStatus

from .cli_fixtures import (  # noqa: F401 - fixtures
    LEMONS, ee_cli, error_line, ls_cli, ls_project, ls_shell, offline, offline_cli, sv, sv_cli, sv_shell,
)

ENTITY_KEYS = {"id", "name", "review_status"}


def verdicts(backend, job) -> dict:
    return {e.id: e.review_status.value for e in backend.reviews.list(job)}


@pytest.fixture
def job(sv):
    """A fresh job over the six lemons, lab1 labeling and admin reviewing; its item ids."""
    (made,) = sv.jobs.create(JobSpec(name="to review", project_id=LEMONS, annotators=["lab1"], reviewer="admin"))
    sv.jobs.set_status(made.id, "on_review")
    yield made.id, [e.id for e in sv.reviews.list(made.id)]
    sv.jobs.delete(made.id)


# ---------------------------------------------------------------------------------------------- Supervisely


def test_list_as_table_json_and_jsonl(sv, sv_cli, job):
    ident, items = job
    sv.reviews.set(ident, items[0], ReviewStatus.REJECTED)
    listed = sv_cli.json("reviews", "list", str(ident))
    assert [e["id"] for e in listed] == items and all(set(e) == ENTITY_KEYS for e in listed)
    assert listed[0]["review_status"] == "rejected" and {e["review_status"] for e in listed[1:]} == {"none"}
    lines = sv_cli.run("reviews", "list", str(ident), "--jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == listed
    only = sv_cli.json("reviews", "list", str(ident), "--status", "rejected")
    assert [e["id"] for e in only] == [items[0]]
    table = sv_cli.run("reviews", "list", str(ident))
    assert table.returncode == 0 and "IMG_" in table.stdout and "0 accepted, 1 rejected, 5 none" in table.stdout


def test_set_one_and_take_it_back(sv, sv_cli, job):
    ident, items = job
    done = sv_cli.run("reviews", "set", str(ident), str(items[0]), "accepted")
    assert done.returncode == 0 and done.stdout == f"job {ident}: set 1 verdict (1 accepted)\n"
    assert verdicts(sv, ident)[items[0]] == "accepted"
    back = sv_cli.json("reviews", "set", str(ident), str(items[0]), "none")
    assert back == {"job_id": ident, "dry_run": False, "verdicts": {str(items[0]): "none"}, "written": 1}
    assert verdicts(sv, ident)[items[0]] == "none"


def test_set_many_from_jsonl_after_a_dry_run(sv, sv_cli, job, tmp_path):
    ident, items = job
    path = tmp_path / "verdicts.jsonl"
    path.write_text(
        json.dumps({"item": items[0], "status": "accepted"}) + "\n\n"
        + json.dumps({"item": str(items[1]), "status": "REJECTED"}) + "\n",
        encoding="utf-8",
    )
    dry = sv_cli.json("reviews", "set", str(ident), "--from-jsonl", str(path), "--dry-run")
    assert dry == {"job_id": ident, "dry_run": True, "written": 0,
                   "verdicts": {str(items[0]): "accepted", str(items[1]): "rejected"}}
    assert set(verdicts(sv, ident).values()) == {"none"}
    done = sv_cli.run("reviews", "set", str(ident), "--from-jsonl", str(path))
    assert done.returncode == 0 and done.stdout == f"job {ident}: set 2 verdicts (1 accepted, 1 rejected)\n"
    assert [verdicts(sv, ident)[i] for i in items[:3]] == ["accepted", "rejected", "none"]


def test_list_jsonl_edited_and_fed_back_on_stdin(sv, sv_cli, job):
    ident, items = job
    lines = sv_cli.run("reviews", "list", str(ident), "--jsonl").stdout.splitlines()
    edited = "\n".join(line.replace('"none"', '"accepted"') for line in lines[:4])
    done = sv_cli.run("reviews", "set", str(ident), "--from-jsonl", "-", stdin=edited)
    assert done.returncode == 0, done.stderr
    assert list(verdicts(sv, ident).values()) == ["accepted"] * 4 + ["none"] * 2


def test_an_item_outside_the_job_stops_the_run_before_any_verdict(sv, sv_cli, job):
    ident, items = job
    lines = f'{{"item": {items[0]}, "status": "accepted"}}\n{{"item": 12345, "status": "rejected"}}\n'
    done = sv_cli.run("reviews", "set", str(ident), "--from-jsonl", "-", stdin=lines)
    assert done.returncode == 2 and "12345 are not in job" in error_line(done)
    assert set(verdicts(sv, ident).values()) == {"none"}
    one = sv_cli.run("reviews", "set", str(ident), "12345", "accepted")
    assert one.returncode == 3 and "12345" in error_line(one)


def test_reject_the_unmarked_then_all(sv, sv_cli, job):
    ident, items = job
    sv.reviews.set(ident, items[0], ReviewStatus.ACCEPTED)
    unmarked = sv_cli.json("reviews", "reject", str(ident), "--only-unmarked")
    assert unmarked == {"job_id": ident, "only_unmarked": True, "counts": {"accepted": 1, "rejected": 5, "none": 0}}
    assert verdicts(sv, ident)[items[0]] == "accepted"
    every = sv_cli.run("reviews", "reject", str(ident))
    assert every.returncode == 0
    assert every.stdout == f"job {ident}: rejected every item; now 0 accepted, 6 rejected, 0 none\n"


def test_a_job_that_is_not_there(sv_cli):
    for args in (("reviews", "list", "999999"), ("reviews", "reject", "999999"), ("reviews", "set", "no job", "1", "none")):
        done = sv_cli.run(*args)
        assert done.returncode == 3, (args, done.stderr)
        error_line(done)


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, stdin, says",
    [
        (("set", "1", "2", "approved"), None, "STATUS 'approved'"),
        (("set", "1", "2"), None, "ITEM and STATUS are needed"),
        (("set", "1"), None, "ITEM and STATUS are needed"),
        (("set", "1", "2", "accepted", "--from-jsonl", "-"), "", "not both"),
        (("set", "1", "--from-jsonl", "-"), '{"item": 1, "status": "accepted"}\n{nope', "line 2: not JSON"),
        (("set", "1", "--from-jsonl", "-"), '{"item": 1}', 'line 1: "status" is missing'),
        (("set", "1", "--from-jsonl", "-"), '[1, "accepted"]', "line 1: an object"),
        (("set", "1", "--from-jsonl", "-"), '{"item": true, "status": "none"}', '"item" must be an item id'),
        (("set", "1", "--from-jsonl", "-"), '{"item": 1, "status": "maybe"}', "line 1: status 'maybe'"),
        (("set", "1", "--from-jsonl", "-"), '{"id": 1, "review_status": "none"}\n{"item_id": "1", "status": "none"}',
         "line 2: item 1 has a verdict on an earlier line"),
        (("set", "1", "--from-jsonl", "-"), "\n\n", "no verdicts"),
        (("set", "1", "--from-jsonl", "/no/such/file.jsonl"), None, "cannot be read"),
        (("list", "1", "--status", "good"), None, "--status 'good'"),
        (("reject", " "), None, "JOB"),
    ],
)
def test_bad_input_exits_2_before_connecting(offline_cli, args, stdin, says):
    done = offline_cli.run("reviews", *args, stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert says in error_line(done)


def test_the_console_script_reads_verdicts_from_a_pipe(offline):
    """Through the console entry point (a fresh process, stdin a pipe): a bad line is exit 2 and one line."""
    done = offline.run("reviews", "set", "1", "--from-jsonl", "-", stdin='{"item": 1, "status": "accepted"}\n{nope')
    assert done.returncode == 2, done.stderr
    assert "line 2: not JSON" in error_line(done)


# ---------------------------------------------------------------------------------------------- Label Studio


def test_label_studio_community_says_why_it_cannot(ls_project, ls_cli):
    _, project, tasks = ls_project
    job = str(project.id)
    for args, stdin in (
        (("reviews", "list", job), None),
        (("reviews", "set", job, str(tasks[0]), "accepted"), None),
        (("reviews", "set", job, "--from-jsonl", "-"), f'{{"item": {tasks[0]}, "status": "rejected"}}'),
        (("reviews", "reject", job, "--only-unmarked"), None),
    ):
        done = ls_cli.run(*args, stdin=stdin)
        assert done.returncode == 6, (args, done.stderr)
        assert "annotation review needs Label Studio Enterprise; this server is Community" in error_line(done)


def test_label_studio_enterprise_reviews_annotations(ls_project, ee_cli):
    _, project, tasks = ls_project
    job = str(project.id)
    with annobridge.connect(ee_cli.url, token=ee_cli.token) as ee:
        for task in tasks[:3]:
            ee.annotations.create_json(task, [{"from_name": "size", "to_name": "image", "type": "choices",
                                               "value": {"choices": ["small"]}}])
        done = ee_cli.run("reviews", "set", job, str(tasks[0]), "accepted")
        assert done.returncode == 0 and done.stdout == f"job {job}: set 1 verdict (1 accepted)\n"
        fed = ee_cli.run("reviews", "set", job, "--from-jsonl", "-", "--json",
                         stdin=f'{{"item": {tasks[1]}, "status": "rejected"}}')
        assert fed.returncode == 0 and json.loads(fed.stdout)["written"] == 1
        bare = ee_cli.run("reviews", "set", job, str(tasks[3]), "accepted")
        assert bare.returncode == 2 and "has none" in error_line(bare)

        rejected = ee_cli.json("reviews", "reject", job, "--only-unmarked")
        assert rejected["counts"] == {"accepted": 1, "rejected": 2, "none": 1}  # the bare task stays unreviewed
        listed = ee_cli.json("reviews", "list", job)
        assert {e["id"]: e["review_status"] for e in listed} == {
            tasks[0]: "accepted", tasks[1]: "rejected", tasks[2]: "rejected", tasks[3]: "none"}
        assert verdicts(ee, project.id) == {e["id"]: e["review_status"] for e in listed}
