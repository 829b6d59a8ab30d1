"""Every sample in examples/data/supervisely/ is saved by `annobridge sandbox supervisely annotate` on the seeded
project and reads back through the real SDK with the file's classes, masks and tags."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import supervisely as sly

from annobridge.testing.cli import Local

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "data" / "supervisely"
# sample file -> the seeded "Lemons (Test)" image it was drawn on (README.md says the same)
FITS = {
    "lemons-lemon-bitmap.json": "IMG_4451.jpeg",
    "lemons-kiwi-bitmap.json": "IMG_4451.jpeg",
    "lemons-kiwi-and-lemon.json": "IMG_1836.jpeg",
}


@pytest.fixture(scope="module")
def seeded(make_supervisely_api):
    """A seeded sandbox of this module's own (annotating replaces seeded labels) and `sly.Api` on it."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield handle, make_supervisely_api(handle)


@pytest.fixture(scope="module")
def cli(seeded):
    """The annobridge CLI with the SERVER_ADDRESS and API_TOKEN lines the sandbox prints exported."""
    handle, _ = seeded
    env = {**os.environ, "SERVER_ADDRESS": handle.server_address, "API_TOKEN": handle.token}
    return Local(handle.server_address, handle.token, env)


def _labels(ann: sly.Annotation) -> list[tuple[str, bytes, dict]]:
    """(class, full-image mask bytes, {tag: value}) of each label, in order."""
    return [
        (label.obj_class.name, label.geometry.get_mask(ann.img_size).tobytes(), {t.name: t.value for t in label.tags})
        for label in ann.labels
    ]


def test_every_sample_is_covered_and_described():
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(FITS)
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in FITS)


@pytest.mark.parametrize("name", sorted(FITS))
def test_annotate_saves_the_sample_as_the_sdk_reads_it(name, seeded, cli, labelers, supervisely_seed, unique):
    handle, api = seeded
    meta = sly.ProjectMeta.from_json(api.project.get_meta(supervisely_seed.project))
    sample = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    expected = sly.Annotation.from_json(sample, meta)  # the file is valid for the seeded meta as the SDK sees it
    image = api.image.get_info_by_name(supervisely_seed.dataset, FITS[name])
    assert (image.height, image.width) == expected.img_size
    (labeler,) = labelers(1, on=api)
    (job,) = api.labeling_job.create(name=f"s {unique}", dataset_id=supervisely_seed.dataset, user_ids=[labeler.id])

    done = cli.run("sandbox", "supervisely", "annotate", str(job.id), str(image.id), str(SAMPLES / name), "--done",
                   backend=False)

    assert (done.returncode, done.stdout.strip()) == (0, "sandbox.jobs.annotate: ok"), done.stderr
    assert handle.token not in done.stdout + done.stderr
    got = sly.Annotation.from_json(api.annotation.download(image.id).annotation, meta)
    assert got.img_size == expected.img_size
    assert _labels(got) == _labels(expected)  # the seeded labels are replaced by exactly the file's
    assert {label.obj_class.name for label in got.labels} == {o["classTitle"] for o in sample["objects"]}
    assert api.labeling_job.get_info_by_id(job.id).finished_images_count == 1


def test_annotate_help_points_at_the_samples(cli):
    done = cli.run("sandbox", "supervisely", "annotate", "--help", backend=False)
    assert done.returncode == 0 and "examples/data/supervisely/" in done.stdout, done.stderr
