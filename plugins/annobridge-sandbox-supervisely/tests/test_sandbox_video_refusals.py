"""API methods the sandbox serves for images but declines for videos answer 404 naming themselves and why."""

from __future__ import annotations

import pytest
import requests

from annobridge_sandbox_supervisely.testing.videos import write_square_video

from annobridge_sandbox_supervisely.video_annotations import REFUSED_ON_VIDEOS


@pytest.fixture(scope="module")
def video_figure(sandbox, make_api, tmp_path_factory):
    """(handle, dataset id, video id, figure id): one video with one rectangle figure on frame 0."""
    import supervisely as sly

    api = make_api(sandbox)
    project = api.project.create(349, "refusals", type=sly.ProjectType.VIDEOS, change_name_if_conflict=True)
    api.project.update_meta(project.id, sly.ProjectMeta(obj_classes=[sly.ObjClass("square", sly.Rectangle)]))
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    dataset = api.dataset.create(project.id, "ds")
    written = write_square_video(tmp_path_factory.mktemp("refusals") / "a.mp4", frames_count=6)
    info = api.video.upload_paths(dataset.id, ["a.mp4"], [str(written.path)])[0]
    square = sly.VideoObject(meta.get_obj_class("square"))
    figure = sly.VideoFigure(square, sly.Rectangle(1, 2, 10, 12), 0)
    api.video.annotation.append(info.id, sly.VideoAnnotation(
        (written.height, written.width), written.frames_count, objects=sly.VideoObjectCollection([square]),
        frames=sly.FrameCollection([sly.Frame(0, [figure])])))
    figure_id = api.video.annotation.download(info.id)["frames"][0]["figures"][0]["id"]
    return sandbox, dataset.id, info.id, figure_id


def _bodies(dataset_id: int, video_id: int, figure_id: int) -> dict[str, dict]:
    """A request body naming the video (its figure, dataset or the video itself) for each declined method."""
    return {
        "figures.info": {"id": figure_id},
        "figures.list": {"datasetId": dataset_id, "filter": []},
        "figures.bulk.download.geometry": {"ids": [figure_id]},
        "figures.bulk.upload.geometry": {"files": [("geometry", str(figure_id), b"{}")]},
        "figures.bulk.remove": {"ids": [figure_id]},
        "figures.bulk.restore": {"ids": [figure_id]},
        "figures.editInfo": {"id": figure_id, "geometry": {}},
        "tags.entities.bulk.add": {"projectId": 0, "tags": [{"tagId": 1, "entityId": video_id}]},
    }


@pytest.mark.parametrize("method", sorted(_bodies(0, 0, 0)))
def test_a_method_declined_for_videos_answers_404_naming_itself_and_why(method, video_figure):
    handle, dataset_id, video_id, figure_id = video_figure
    body = _bodies(dataset_id, video_id, figure_id)[method]
    url, headers = f"{handle.server_address}/public/api/v3/{method}", {"x-api-key": handle.token}
    if "files" in body:  # a multipart upload, as the SDK sends it
        files = [(name, (filename, data, "application/json")) for name, filename, data in body["files"]]
        answer = requests.post(url, files=files, headers=headers, timeout=10)
    else:
        answer = requests.post(url, json=body, headers=headers, timeout=10)
    assert answer.status_code == 404
    assert repr(method) in answer.json()["error"] and REFUSED_ON_VIDEOS[method] in answer.json()["error"]


def test_the_figure_is_still_in_the_video_annotation(video_figure, make_api):
    handle, _, video_id, figure_id = video_figure
    frames = make_api(handle).video.annotation.download(video_id)["frames"]
    assert [f["id"] for f in frames[0]["figures"]] == [figure_id]
