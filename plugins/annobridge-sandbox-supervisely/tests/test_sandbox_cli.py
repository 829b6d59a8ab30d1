"""The real `annobridge sandbox supervisely` console command plays labeler and reviewer against a running sandbox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import supervisely as sly

ANNOBRIDGE = str(Path(sys.executable).parent / "annobridge")


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ANNOBRIDGE, "sandbox", "supervisely", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def env(sandbox):
    """The environment a user gets by pasting the sandbox's SERVER_ADDRESS= and API_TOKEN= lines."""
    return {**os.environ, "SERVER_ADDRESS": sandbox.server_address, "API_TOKEN": sandbox.token}


@pytest.fixture
def cli_job(api, labelers, seed_ids, unique):
    """A pending job of two copied seed images for a new labeler, and the project meta."""
    (labeler,) = labelers(1)
    project = api.project.create(seed_ids.workspace, f"cli {unique}")
    meta = api.project.update_meta(project.id, api.project.get_meta(seed_ids.project))
    dataset = api.dataset.create(project.id, "ds1")
    seeded = api.image.get_list(seed_ids.dataset)[:2]
    images = api.image.upload_ids(dataset.id, [i.name for i in seeded], [i.id for i in seeded])
    job = api.labeling_job.create(name="cli job", dataset_id=dataset.id, user_ids=[labeler.id])[0]
    return job, images, meta


def test_the_console_command_drives_a_job_to_completed(api, env, cli_job, tmp_path, sandbox):
    job, images, meta = cli_job
    mask = np.zeros((images[0].height, images[0].width), bool)
    mask[20:60, 30:90] = True
    label = sly.Label(sly.Bitmap(mask), meta.get_obj_class("lemon"), tags=[sly.Tag(meta.get_tag_meta("size"), "large")])
    sent = sly.Annotation((images[0].height, images[0].width), [label])
    path = tmp_path / "ann.json"
    path.write_text(json.dumps(sent.to_json()))

    steps = [
        ("annotate", str(job.id), str(images[0].id), str(path), "--done"),
        ("submit", str(job.id)),
        ("review", str(job.id), str(images[0].id), "accepted"),
        ("review", str(job.id), str(images[1].id), "rejected"),
        ("complete", str(job.id)),
    ]
    for step in steps:
        result = _run(*step, env=env)  # server and token come from SERVER_ADDRESS and API_TOKEN
        assert (result.returncode, result.stdout.strip()) == (0, f"sandbox.jobs.{step[0]}: ok"), result.stderr
        assert sandbox.token not in result.stdout + result.stderr

    info = api.labeling_job.get_info_by_id(job.id)
    assert (info.status, info.accepted_images_count, info.rejected_images_count) == ("completed", 1, 1)
    got = sly.Annotation.from_json(api.annotation.download_json(images[0].id), meta)
    assert len(got.labels) == 1 and got.labels[0].obj_class.name == "lemon"
    assert np.array_equal(got.labels[0].geometry.get_mask(got.img_size), mask)  # the SDK's pixel shift round-trips
    assert got.labels[0].tags.get("size").value == "large"


def test_the_console_command_fails_with_one_line(api, env, cli_job, tmp_path, sandbox):
    job, images, _ = cli_job
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        closed_port = free.getsockname()[1]
    cases = [
        (("submit", str(job.id)), env, "sandbox.jobs.submit: 400 labeling job"),  # still pending
        (("review", str(job.id), str(images[0].id), "great"), env, "sandbox.jobs.review: 400"),
        (("start", "987654321"), env, "sandbox.jobs.start: 404 Labeling job with id 987654321 not found"),
        (("annotate", str(job.id), str(images[0].id), str(bad_json)), env, "bad.json: not a readable annotation"),
        (("start", str(job.id), "--token", "not-the-token"), env, "sandbox.jobs.start: 401 Unauthorized"),
        (("start", str(job.id), "--server", f"http://127.0.0.1:{closed_port}"), env, "cannot reach the sandbox"),
    ]
    for args, environment, message in cases:
        result = _run(*args, env=environment)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and message in lines[0], (args, result.stderr)
        assert sandbox.token not in result.stdout + result.stderr and "not-the-token" not in result.stderr
    assert api.labeling_job.get_status(job.id) is api.labeling_job.Status.PENDING  # no failed step changed the job
