"""Images through ImageApi: paging both ways, filters, batch info, the hash-based upload, downloads, removal."""

from __future__ import annotations

import io

import numpy as np
import pytest
import requests
from PIL import Image
from supervisely.api.image_api import ImageInfo

SEEDED = ["IMG_4451.jpeg", "IMG_3861.jpeg", "IMG_0748.jpeg", "IMG_2084.jpeg", "IMG_1836.jpeg", "IMG_8144.jpeg"]


@pytest.fixture
def dataset(api, seed_ids, unique):
    """An empty dataset in a project of its own."""
    project = api.project.create(seed_ids.workspace, f"img {unique}")
    return api.dataset.create(project.id, "ds")


def _png(seed: int, size=(24, 32)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (*size, 3), dtype=np.uint8)


def test_seeded_images_are_real_jpegs(api, seed_ids):
    infos = api.image.get_list(seed_ids.dataset)
    assert [i.name for i in infos][:6] == SEEDED
    first = infos[0]
    assert isinstance(first, ImageInfo)
    assert (first.mime, first.ext, first.dataset_id, first.project_id) == ("image/jpeg", "jpeg", seed_ids.dataset, seed_ids.project)
    pixels = api.image.download_np(first.id)
    assert pixels.shape == (first.height, first.width, 3)
    assert pixels.reshape(-1, 3).std(axis=0).min() > 10  # a picture, not a flat fill
    raw = requests.get(first.full_storage_url).content  # storage links serve the bytes too
    assert raw == api.image.download_bytes(seed_ids.dataset, [first.id])[0] and len(raw) == first.size
    with Image.open(io.BytesIO(raw)) as img:
        assert img.format == "JPEG" and img.size == (first.width, first.height)


def test_paging_by_page_and_by_cursor(api, seed_ids):
    everything = [i.id for i in api.image.get_list(seed_ids.dataset)]
    paged, first = api.image.get_list_all_pages(
        "images.list", {"datasetId": seed_ids.dataset, "per_page": 2}, return_first_response=True
    )
    assert (first["perPage"], first["pagesCount"], first["total"]) == (2, (len(everything) + 1) // 2, len(everything))
    assert [i.id for i in paged] == everything
    batches = list(api.image.get_list_generator(seed_ids.dataset, batch_size=4))
    assert [len(b) for b in batches][0] == 4 and [i.id for b in batches for i in b] == everything
    assert [i.id for i in api.image.get_list(seed_ids.dataset, limit=3)] == everything[:3]
    desc = api.image.get_list(seed_ids.dataset, sort="name", sort_order="desc")
    assert [i.name for i in desc] == sorted((i.name for i in desc), reverse=True)


def test_filters_and_batch_info(api, seed_ids):
    infos = api.image.get_list(seed_ids.dataset)
    wanted = [infos[4].id, infos[1].id]
    picked = api.image.get_list(seed_ids.dataset, filters=[{"field": "id", "operator": "in", "value": wanted}])
    assert sorted(i.id for i in picked) == sorted(wanted)
    assert [i.id for i in api.image.get_info_by_id_batch(wanted)] == wanted
    assert api.image.get_info_by_name(seed_ids.dataset, "IMG_0748.jpeg").name == "IMG_0748.jpeg"
    assert api.image.exists(seed_ids.dataset, "nope.jpeg") is False
    assert len(api.image.get_list(project_id=seed_ids.project)) >= 6
    labelled = api.image.get_list(seed_ids.dataset, only_labelled=True)
    assert {i.id for i in labelled} == {i.id for i in infos if i.labels_count > 0}
    with pytest.raises(requests.exceptions.HTTPError, match="unknown field"):
        api.image.get_list(seed_ids.dataset, filters=[{"field": "colour", "operator": "=", "value": 1}])


def test_upload_uses_hashes_and_sends_bytes_once(api, sandbox, dataset, tmp_path):
    img = _png(7)
    before = sandbox.calls["images.bulk.upload"]
    first = api.image.upload_np(dataset.id, "a.png", img)
    assert (first.name, first.width, first.height, first.mime) == ("a.png", 32, 24, "image/png")
    assert sandbox.calls["images.bulk.upload"] - before == 1
    second = api.image.upload_np(dataset.id, "b.png", img)  # same bytes: the hash is known, nothing is sent
    assert sandbox.calls["images.bulk.upload"] - before == 1 and second.hash == first.hash
    assert np.array_equal(api.image.download_np(second.id), img)

    path = tmp_path / "c.png"
    Image.fromarray(_png(8)).save(path)
    third = api.image.upload_path(dataset.id, "c.png", str(path), meta={"source": "disk"})
    assert third.meta == {"source": "disk"} and third.size == path.stat().st_size
    out = tmp_path / "back.png"
    api.image.download_path(third.id, str(out))
    assert out.read_bytes() == path.read_bytes()
    copy = api.image.upload_id(dataset.id, "d.png", third.id)
    assert copy.hash == third.hash
    many = api.image.upload_nps(dataset.id, ["e.png", "f.png"], [_png(9), _png(10)])
    assert [i.name for i in many] == ["e.png", "f.png"]
    got = api.image.download_nps(dataset.id, [many[1].id, many[0].id])
    assert np.array_equal(got[0], _png(10)) and np.array_equal(got[1], _png(9))


def test_name_clashes_follow_the_sdks_conflict_resolution(api, dataset):
    original = api.image.upload_np(dataset.id, "x.png", _png(1))
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.image.upload_np(dataset.id, "x.png", _png(2))
    details = caught.value.response.json()["details"]
    assert details["type"] == "NONUNIQUE" and details["errors"] == [{"name": "x.png", "id": original.id}]
    (skipped,) = api.image.upload_nps(dataset.id, ["x.png"], [_png(2)], conflict_resolution="skip")
    assert skipped.id == original.id
    (renamed,) = api.image.upload_nps(dataset.id, ["x.png"], [_png(2)], conflict_resolution="rename")
    assert renamed.name.startswith("x_") and renamed.name.endswith(".png")
    (replaced,) = api.image.upload_nps(dataset.id, ["x.png"], [_png(3)], conflict_resolution="replace")
    assert api.image.get_info_by_id(original.id) is None and replaced.name == "x.png"


def test_not_an_image_is_refused(api, dataset, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("plain text, not pixels")
    with pytest.raises(ValueError, match="Unable to upload images"):
        api.image.upload_path(dataset.id, "notes.png", str(text))
    assert api.post("images.bulk.upload", _multipart(b"plain text")).json()[0]["errors"]
    with pytest.raises(requests.exceptions.HTTPError, match="no uploaded image has hash"):
        api.image.upload_hash(dataset.id, "ghost.png", "bm90IGEgaGFzaA==")
    assert api.dataset.get_info_by_id(dataset.id).images_count == 0


def _multipart(payload: bytes):
    from requests_toolbelt import MultipartEncoder

    return MultipartEncoder(fields={"0-file": ("0", io.BytesIO(payload), "image/*")})


def test_edit_and_remove(api, dataset):
    info = api.image.upload_np(dataset.id, "r.png", _png(4))
    assert api.image.rename(info.id, "s.png").name == "s.png"
    assert api.image.update_meta(info.id, {"k": 1})["meta"] == {"k": 1}
    api.image.remove(info.id)
    assert api.image.get_info_by_id(info.id) is None
    assert api.dataset.get_info_by_id(dataset.id).images_count == 0
