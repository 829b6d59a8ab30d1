"""Video projects in the sandbox through the real SDK: upload, infos, download, tracked objects and tag frame ranges."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from annobridge_sandbox_supervisely.testing.videos import write_square_video

WORKSPACE = 349  # the seeded workspace (see seed_ids)


@pytest.fixture
def video_project(fresh_sandbox, make_api, tmp_path):
    """(api, project, dataset, meta, [(WrittenVideo, VideoInfo)]) : a video project with two generated videos."""
    import supervisely as sly

    api = make_api(fresh_sandbox)
    project = api.project.create(WORKSPACE, "clips", type=sly.ProjectType.VIDEOS)
    meta = sly.ProjectMeta(
        obj_classes=[sly.ObjClass("square", sly.Rectangle)],
        tag_metas=[
            sly.TagMeta("moving", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("light", sly.TagValueType.ONEOF_STRING, possible_values=["day", "night"],
                        applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("speed", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
        ],
    )
    api.project.update_meta(project.id, meta)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    dataset = api.dataset.create(project.id, "street")
    written = [write_square_video(tmp_path / "a.mp4"),
               write_square_video(tmp_path / "b.mp4", frames_count=30, fps=15, width=128, height=80, shade=90)]
    infos = api.video.upload_paths(dataset.id, ["a.mp4", "b.mp4"], [str(v.path) for v in written])
    return api, project, dataset, meta, list(zip(written, infos))


def _track(meta, written, frames):
    """A VideoAnnotation: the square tracked over `frames` with a speed tag, and two video tags with frame ranges."""
    import supervisely as sly

    square = sly.VideoObject(meta.get_obj_class("square"), tags=sly.VideoTagCollection(
        [sly.VideoTag(meta.get_tag_meta("speed"), value=2, frame_range=[frames[0], frames[0] + 5])]))
    figures = []
    for index in frames:
        left, top, right, bottom = written.boxes[index]
        figures.append(sly.Frame(index, [sly.VideoFigure(square, sly.Rectangle(top, left, bottom, right), index)]))
    tags = sly.VideoTagCollection([
        sly.VideoTag(meta.get_tag_meta("moving"), frame_range=[frames[0], frames[-1]]),
        sly.VideoTag(meta.get_tag_meta("light"), value="night"),
    ])
    return sly.VideoAnnotation((written.height, written.width), written.frames_count,
                               objects=sly.VideoObjectCollection([square]), frames=sly.FrameCollection(figures),
                               tags=tags)


def _boxes(ann_json):
    """{frame: [(left, top, right, bottom)]} of a video annotation JSON's figures."""
    return {frame["index"]: [tuple(p for point in f["geometry"]["points"]["exterior"] for p in point)
                             for f in frame["figures"]] for frame in ann_json["frames"]}


def test_uploaded_videos_answer_their_frames_rate_and_size(video_project):
    api, project, dataset, _, uploaded = video_project
    for written, info in uploaded:
        assert (info.frames_count, info.frame_width, info.frame_height) == (
            written.frames_count, written.width, written.height)
        assert Fraction(info.frames_count) / Fraction(info.file_meta["duration"]) == written.fps
        assert len(info.frames_to_timecodes) == written.frames_count
        assert info.frames_to_timecodes[written.fps] == 1.0  # frame fps starts at one second
        assert info.file_meta["streams"][0]["codecType"] == "video" and info.file_meta["mime"] == "video/mp4"
        assert int(info.file_meta["size"]) == written.path.stat().st_size
        assert (info.project_id, info.dataset_id, info.team_id) == (project.id, dataset.id, 8)
    listed = api.video.get_list(dataset.id)
    assert [(v.id, v.name) for v in listed] == [(info.id, info.name) for _, info in uploaded]
    assert api.video.get_list(project_id=project.id) == listed
    again = api.video.get_info_by_id(uploaded[1][1].id)
    assert again == uploaded[1][1]
    assert [v.id for v in api.video.get_info_by_id_batch([i.id for _, i in reversed(uploaded)])] == [
        i.id for _, i in reversed(uploaded)]
    assert api.video.get_info_by_id(10**9) is None


def test_a_downloaded_video_is_the_uploaded_file(video_project, tmp_path):
    api, _, _, _, uploaded = video_project
    written, info = uploaded[0]
    api.video.download_path(info.id, str(tmp_path / "back.mp4"))
    assert (tmp_path / "back.mp4").read_bytes() == written.path.read_bytes()
    frame = api.video.frame.download_np(info.id, 10)
    left, top, right, bottom = written.boxes[10]
    assert frame.shape == (written.height, written.width, 3)
    assert frame[(top + bottom) // 2, (left + right) // 2].tolist() != frame[0, 0].tolist()  # the square is there


def test_an_appended_track_downloads_as_it_was_sent(video_project):
    from supervisely.video_annotation.key_id_map import KeyIdMap

    api, _, _, meta, uploaded = video_project
    written, info = uploaded[0]
    frames = list(range(4, 20))
    ann = _track(meta, written, frames)
    key_id_map = KeyIdMap()
    api.video.annotation.append(info.id, ann, key_id_map)

    back = api.video.annotation.download(info.id)
    assert (back["videoId"], back["framesCount"], back["size"]) == (
        info.id, written.frames_count, {"height": written.height, "width": written.width})
    [square] = back["objects"]
    assert square["classTitle"] == "square" and square["id"] == key_id_map.get_object_id(ann.objects.items()[0].key())
    assert [(t["name"], t["value"], t["frameRange"]) for t in square["tags"]] == [("speed", 2, [4, 9])]
    assert sorted((t["name"], t.get("value"), t.get("frameRange")) for t in back["tags"]) == [
        ("light", "night", None), ("moving", None, [4, 19])]
    assert _boxes(back) == {i: [written.boxes[i]] for i in frames}
    sent_figures = {figure.key(): figure for frame in ann.frames for figure in frame.figures}
    for frame in back["frames"]:
        for figure in frame["figures"]:
            assert figure["objectId"] == square["id"] and figure["objectKey"] == square["key"]
            assert key_id_map.get_figure_id(sent_figures[figure_key(figure)].key()) == figure["id"]

    # the SDK reads the answer back as the annotation it sent
    import supervisely as sly

    again = sly.VideoAnnotation.from_json(back, meta, KeyIdMap())
    assert [(f.index, [g.geometry.to_json() for g in f.figures]) for f in again.frames] == [
        (f.index, [g.geometry.to_json() for g in f.figures]) for f in ann.frames]
    assert api.video.annotation.download(uploaded[1][1].id)["objects"] == []


def figure_key(figure: dict):
    from uuid import UUID

    return UUID(figure["key"])


def test_an_annotation_file_uploads_and_reads_as_neutral_tracks(video_project, tmp_path):
    from annobridge.annotations import Rectangle
    from annobridge.video import FrameRange
    from annobridge_supervisely.video_convert import video_from_supervisely

    api, _, dataset, meta, uploaded = video_project
    written, info = uploaded[1]
    frames = list(range(0, written.frames_count, 3))
    path = tmp_path / "b.mp4.json"
    path.write_text(json.dumps(_track(meta, written, frames).to_json()))
    api.video.annotation.upload_paths([info.id], [str(path)], meta)

    [back] = api.video.annotation.download_bulk(dataset.id, [info.id])
    fps = Fraction(info.frames_count) / Fraction(info.file_meta["duration"])
    video, report = video_from_supervisely(back, meta.to_json(), fps=fps, item=info.id)
    assert (video.width, video.height, video.frames_count, video.fps) == (
        written.width, written.height, written.frames_count, written.fps)
    [square] = video.objects
    assert [f.frame for f in square.frames] == frames and all(f.keyframe for f in square.frames)
    for shape in square.frames:
        left, top, right, bottom = written.boxes[shape.frame]
        assert shape.shape == Rectangle(x=left, y=top, width=right - left, height=bottom - top)
    assert [(t.name, t.value, t.frames) for t in square.tags] == [("speed", 2, FrameRange(start=0, end=5))]
    assert sorted((t.name, t.frames and (t.frames.start, t.frames.end)) for t in video.tags) == [
        ("light", None), ("moving", (0, frames[-1]))]
    assert video.time_of(written.fps) == 1 and report.lossless


def test_video_tags_and_objects_change_one_at_a_time(video_project):
    api, _, _, meta, uploaded = video_project
    written, info = uploaded[0]
    api.video.annotation.append(info.id, _track(meta, written, [0, 1, 2]))
    tag = next(t for t in api.video.annotation.download(info.id)["tags"] if t["name"] == "moving")
    api.video.tag.update_frame_range(tag["id"], [1, 2])
    light = next(t for t in api.video.annotation.download(info.id)["tags"] if t["name"] == "light")
    api.video.tag.update_value(light["id"], "day")
    back = api.video.annotation.download(info.id)
    assert sorted((t["name"], t.get("value"), t.get("frameRange")) for t in back["tags"]) == [
        ("light", "day", None), ("moving", None, [1, 2])]
    api.video.tag.remove_from_video(tag["id"])
    api.video.object.remove_batch([back["objects"][0]["id"]])
    back = api.video.annotation.download(info.id)
    assert [t["name"] for t in back["tags"]] == ["light"] and back["objects"] == back["frames"] == []


def test_wrong_video_requests_fail_in_one_line(video_project, tmp_path):
    api, _, dataset, meta, uploaded = video_project
    written, info = uploaded[0]
    api.video.annotation.append(info.id, _track(meta, written, [0]))
    square = api.video.annotation.download(info.id)["objects"][0]
    box = {"points": {"exterior": [[0, 0], [4, 4]], "interior": []}}
    with pytest.raises(Exception, match=r"meta.frame must be a frame index of video \d+ \(0..47\), got 48"):
        api.video.figure.create(info.id, square["id"], written.frames_count, box, "rectangle")
    with pytest.raises(Exception, match="class 'square' takes rectangle figures, got 'polygon'"):
        api.video.figure.create(info.id, square["id"], 0, box, "polygon")
    with pytest.raises(Exception, match=r"frameRange must be a frame index .* got 500"):
        api.video.tag.add_tag(meta.get_tag_meta("moving").sly_id, info.id, frame_range=[0, 500])
    stills = api.dataset.create(api.project.create(WORKSPACE, "stills").id, "ds")
    with pytest.raises(Exception, match="videos go in video projects"):
        api.video.upload_hash(stills.id, "c.mp4", info.hash)
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 and no frames at all")
    with pytest.raises(RuntimeError, match="Unable to upload videos"):
        api.video.upload_paths(dataset.id, ["broken.mp4"], [str(tmp_path / "broken.mp4")])
    assert [v.name for v in api.video.get_list(dataset.id)] == ["a.mp4", "b.mp4"]


def test_videos_copy_with_their_annotations_and_serve_their_storage_path(video_project, fresh_sandbox):
    import requests

    api, project, dataset, meta, uploaded = video_project
    written, info = uploaded[0]
    api.video.annotation.append(info.id, _track(meta, written, [5, 6, 7]))
    other = api.dataset.create(project.id, "copies")
    [copy] = api.video.copy_batch(other.id, [info.id], with_annotations=True)
    assert (copy.name, copy.hash, copy.frames_count) == (info.name, info.hash, info.frames_count)
    original, copied = api.video.annotation.download(info.id), api.video.annotation.download(copy.id)
    assert _boxes(copied) == _boxes(original) and copied["objects"][0]["id"] != original["objects"][0]["id"]
    served = requests.get(fresh_sandbox.server_address + copy.path_original, timeout=10)
    assert served.content == written.path.read_bytes() and served.headers["content-type"] == "video/mp4"


def test_video_methods_the_sandbox_does_not_serve_answer_404_with_their_name(fresh_sandbox, make_api):
    import requests

    api = make_api(fresh_sandbox)
    for method, says in (("videos.notify-annotation-tool", "no annotation tool runs beside the sandbox"),
                         ("videos.bulk.upsert_file_meta", "reads a video's file meta from its bytes")):
        with pytest.raises(requests.HTTPError) as unserved:
            api.post(method, {})
        assert unserved.value.response.status_code == 404
        assert method in unserved.value.response.json()["error"] and says in unserved.value.response.json()["error"]


def test_a_labeling_job_on_videos_keeps_its_toolbox_settings(video_project):
    """The LabelingJobApi reference's video example: create with toolbox_settings; the job holds both videos."""
    api, project, dataset, meta, videos = video_project
    settings = {"playbackRate": 32, "skipFramesSize": 15, "showVideoTime": True}
    (job,) = api.labeling_job.create("video job", dataset.id, user_ids=[7], readme="track every square",
                                     classes_to_label=["square"], toolbox_settings=settings)
    info = api.labeling_job.get_info_by_id(job.id)
    assert sorted(e["name"] for e in info.entities) == ["a.mp4", "b.mp4"] and info.classes_to_label == ["square"]
    # LabelingJobInfo has no field for them: the job's own JSON, as jobs.info answers it, does
    assert api.post("jobs.info", {"id": job.id}).json()["meta"]["toolboxSettings"] == settings
