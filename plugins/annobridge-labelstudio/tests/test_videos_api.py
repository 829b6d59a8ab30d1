"""The videos sub-API on the real Label Studio server: uploads with their facts, names, bytes, tracks and authors.

What the conformance suite checks everywhere is not repeated; these are Label Studio's own ways: the
video_info kept in the task, the upload limit of 100 files a request, a task without video_info, a
config whose <Video> reads another data key, annotators as logins, the probe on a file PyAV reads.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

import pytest
from annobridge_labelstudio.video_probe import VideoFacts, probe_video
from annobridge_labelstudio.uploads import Upload, upload_requests
from annobridge_labelstudio.videos_api import LabelStudioVideos, video_key

from annobridge.annotations import Rectangle
from annobridge.errors import NotFound, ValidationError
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.testing.videos import write_test_video
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag

SCHEMA = LabelSchema(
    media="video", classes=[ObjectClass(name="car", shape="rectangle")],
    tags=[TagSpec(name="turn", applies_to="items_only")],
)
CUSTOM_CONFIG = """<View>
  <Video name="player" value="$clip" framerate="24"/>
  <VideoRectangle name="track" toName="player"/>
  <Labels name="kinds" toName="player"><Label value="car"/></Labels>
</View>"""


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {
        "ntsc": write_test_video(folder / "ntsc.mp4", frames_count=45, fps=Fraction(30000, 1001), width=80,
                                 height=60),
        "film": write_test_video(folder / "film.mp4", frames_count=12, fps=24, width=64, height=48, shade=90),
    }


@pytest.fixture
def project(backend):
    made = backend.projects.create(f"videos-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
    yield made.id
    backend.projects.delete(made.id)


def test_the_probe_reads_size_exact_frames_and_exact_rate(clips, tmp_path):
    assert probe_video(clips["ntsc"]) == VideoFacts(80, 60, 45, Fraction(30000, 1001))
    assert probe_video(clips["film"]) == VideoFacts(64, 48, 12, Fraction(24))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(clips["film"].read_bytes()[:40])
    with pytest.raises(ValidationError, match="broken.mp4"):
        probe_video(broken)


def test_a_video_task_keeps_its_facts_and_name_and_lists_them_exactly(backend, project, clips, tmp_path):
    spaced = tmp_path / "my clip (1).mp4"
    spaced.write_bytes(clips["ntsc"].read_bytes())
    ids = backend.videos.add(project, [spaced, {"path": clips["film"], "name": "renamed.mp4"}])
    task = backend.items.task(ids[0])
    assert task["data"]["video"].startswith(f"/data/upload/{project}/")
    assert task["data"]["video_info"] == {"width": 80, "height": 60, "frames_count": 45, "fps": "30000/1001",
                                          "name": "my clip (1).mp4"}
    listed = [(i.id, i.name, i.width, i.height, i.frames_count, i.fps) for i in backend.videos.list(project_id=project)]
    assert listed == [(ids[0], "my clip (1).mp4", 80, 60, 45, Fraction(30000, 1001)),
                      (ids[1], "renamed.mp4", 64, 48, 12, Fraction(24))]
    assert [i.name for i in backend.items.list(job_id=project)] == ["my clip (1).mp4", "renamed.mp4"]
    paths = backend.videos.download(project, directory=tmp_path / "out")
    assert [p.name for p in paths] == ["my clip (1).mp4", "renamed.mp4"]
    assert [p.read_bytes() for p in paths] == [clips["ntsc"].read_bytes(), clips["film"].read_bytes()]


def test_a_repeated_name_is_made_unique_with_the_task_id_on_download(backend, project, clips, tmp_path):
    first = backend.videos.add(project, [clips["film"]])
    second = backend.videos.add(project, [clips["film"]])
    paths = backend.videos.download(project, directory=tmp_path, item_ids=second + first)
    assert [p.name for p in paths] == ["film.mp4", f"{first[0]}-film.mp4"]  # in the order asked: second first


def test_uploads_go_at_most_100_files_a_request(backend, project, clips, counted):
    many = [{"path": clips["film"], "name": f"c{n:03}.mp4"} for n in range(101)]
    assert [len(b) for b in upload_requests([Upload(v["name"], v["path"]) for v in many])] == [100, 1]
    with counted(backend) as requests:
        ids = backend.videos.add(project, many)
    # the config, 2 uploads, one listing of the files, one task import
    assert len(ids) == 101 and requests.count == 5
    assert [i.name for i in backend.videos.list(project_id=project)] == [v["name"] for v in many]


def test_a_file_label_studio_does_not_take_or_pyav_cannot_read_is_refused_before_any_upload(
        backend, project, clips, tmp_path, counted):
    mov = tmp_path / "clip.mov"
    mov.write_bytes(clips["film"].read_bytes())
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00" * 64)
    with counted(backend) as requests:
        with pytest.raises(ValidationError, match="clip.mov"):
            backend.videos.add(project, [clips["film"], mov])
        with pytest.raises(ValidationError, match=r"videos\[1\] .*fake.mp4"):
            backend.videos.add(project, [clips["film"], fake])
    assert requests.count == 2  # the config, each time; nothing uploaded
    assert list(backend.videos.list(project_id=project)) == []


def test_the_data_key_is_the_one_the_config_video_reads(backend, clips):
    made = backend.projects.create(f"videos-{uuid.uuid4().hex[:8]}")
    try:
        backend.projects.set_label_config(made.id, CUSTOM_CONFIG)
        assert video_key(backend.projects.label_config(made.id)) == "clip"
        (tid,) = backend.videos.add(made.id, [clips["film"]])
        assert set(backend.items.task(tid)["data"]) == {"clip", "video_info"}
        box = Rectangle(x=16, y=12, width=16, height=12)
        car = VideoObject(class_name="car", frames=[FrameShape(frame=f, shape=box) for f in range(12)])
        backend.videos.write(made.id, [VideoAnnotation(item=tid, width=64, height=48, frames_count=12, fps=24,
                                                       objects=[car])])
        (got,) = backend.videos.annotations(job_id=made.id)
        assert [o.frames for o in got.objects] == [car.frames]
    finally:
        backend.projects.delete(made.id)


def test_annotators_come_back_as_logins_and_unknown_authors_are_reported(backend, project, clips):
    login = f"vid-{uuid.uuid4().hex[:6]}"
    backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")
    (tid,) = backend.videos.add(project, [clips["ntsc"]])
    tag = VideoTag(name="turn", frames=FrameRange(start=3, end=9))
    written = [VideoAnnotation(item=tid, width=80, height=60, frames_count=45, fps="30000/1001", tags=[tag],
                               author=who) for who in (login, "nobody-here")]
    report = backend.videos.write(project, written)
    assert report.count("annotation author") == 1 and report.count("annotation") == 2
    got = list(backend.videos.annotations(project_id=project))
    me = backend.users.me().login
    assert sorted(a.author for a in got) == sorted([login, me])
    assert all(a.tags == (tag,) and a.fps == Fraction(30000, 1001) for a in got)


def test_a_task_without_video_info_cannot_be_read_or_written(backend, project):
    (tid,) = backend.items.add(project, [{"video": "http://example.invalid/x.mp4"}])
    backend.annotations.create_json(tid, result=[])
    with pytest.raises(ValidationError, match=f"task {tid} has no video_info .*videos.add"):
        list(backend.videos.annotations(job_id=project))
    with pytest.raises(ValidationError, match=f"task {tid} has no video_info"):
        backend.videos.write(project, [VideoAnnotation(item=tid, width=8, height=8, frames_count=2, fps=24)])


def test_a_stranger_item_and_the_job_or_project_choice_are_refused(backend, project, job):
    with pytest.raises(ValidationError, match="not tasks of project"):
        backend.videos.write(project, [VideoAnnotation(item=999999, width=8, height=8, frames_count=2, fps=24)])
    with pytest.raises(ValidationError, match="exactly one"):
        list(backend.videos.list(job_id=project, project_id=project))
    with pytest.raises(ValidationError, match="exactly one"):
        list(backend.videos.list())
    with pytest.raises(ValidationError, match="holds images"):
        list(backend.videos.list(project_id=job.id))
    with pytest.raises(NotFound):
        list(backend.videos.list(project_id=99999999))
    assert isinstance(backend.videos, LabelStudioVideos)
