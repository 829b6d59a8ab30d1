"""Lists page in SQL: a page of a large dataset reads its own rows only, and answers what paging.page would."""

from __future__ import annotations

import pytest
import requests
from annobridge_sandbox_supervisely import paging
from annobridge_sandbox_supervisely.images import image_json
from annobridge_sandbox_supervisely.store import now

IMAGES = 1200  # well above a page, so reading the whole dataset per page would show in the counts
PER_PAGE = 100
# rows a page request may read besides its images: the token's user, the dataset, the count, each image's tags
OVERHEAD = 20


@pytest.fixture(scope="module")
def big(make_api):
    """A sandbox of this module's own with one dataset of IMAGES images; every third has a box, every fifth two."""
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        api = make_api(handle)
        workspace = handle.store.scalar("SELECT id FROM workspaces ORDER BY id")
        project = api.project.create(workspace, "paging cost")
        meta = {"classes": [{"title": "box", "shape": "rectangle", "color": "#FF0000"}], "tags": []}
        api.project.update_meta(project.id, meta)
        dataset = api.dataset.create(project.id, "big")
        store = handle.store
        class_id = store.scalar("SELECT id FROM obj_classes WHERE project_id = ?", (project.id,))
        digest = store.scalar("SELECT hash FROM blobs ORDER BY hash")
        box = '{"points": {"exterior": [[1, 1], [5, 5]], "interior": []}}'
        with store.transaction():
            for n in range(IMAGES):
                stamp = now()
                image_id = store.execute(
                    "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, '{}', ?, 7, ?, ?)",
                    # names out of id order, a third with no description (NULL), a third with "x"
                    (dataset.id, f"{n * 7919 % IMAGES:05d}.jpg", digest, [None, "", "x"][n % 3], stamp, stamp),
                )
                for _ in range((n % 3 == 0) + (n % 5 == 0)):
                    store.execute(
                        "INSERT INTO figures (image_id, class_id, geometry_type, geometry, labeler_login, created_at,"
                        " updated_at) VALUES (?, ?, 'rectangle', ?, 'admin', ?, ?)",
                        (image_id, class_id, box, stamp, stamp),
                    )
        yield handle, api, dataset.id


def _reads(store, call):
    """(result, rows the store returned while `call` ran)."""
    before = store.rows_read
    result = call()
    return result, store.rows_read - before


def test_each_page_reads_only_its_own_images(big):
    handle, api, dataset_id = big
    pages, reads = [], []
    generator = api.image.get_list_generator(dataset_id, batch_size=PER_PAGE)
    while True:
        batch, read = _reads(handle.store, lambda: next(generator, None))
        if batch is None:
            break
        pages.append(batch)
        reads.append(read)
    ids = [info.id for batch in pages for info in batch]
    assert len(pages) == IMAGES // PER_PAGE and ids == sorted(ids) and len(set(ids)) == IMAGES
    assert max(reads) <= PER_PAGE + OVERHEAD, f"a page read {max(reads)} rows; the dataset has {IMAGES}"
    labelled = [info.labels_count for batch in pages for info in batch]
    assert labelled[:6] == [2, 0, 0, 1, 0, 1] and sum(labelled) == IMAGES // 3 + IMAGES // 5


def test_numbered_pages_and_filters_read_their_own_rows(big):
    handle, api, dataset_id = big
    body = {"datasetId": dataset_id, "per_page": PER_PAGE, "page": 7, "sort": "name"}
    answer, read = _reads(handle.store, lambda: api.post("images.list", body).json())
    assert (answer["total"], answer["pagesCount"], len(answer["entities"])) == (IMAGES, IMAGES // PER_PAGE, PER_PAGE)
    assert [e["name"] for e in answer["entities"]][0] == f"{6 * PER_PAGE:05d}.jpg"
    assert read <= PER_PAGE + OVERHEAD
    labelled, read = _reads(handle.store, lambda: api.image.get_list(dataset_id, only_labelled=True))
    assert len(labelled) == sum(1 for n in range(IMAGES) if n % 3 == 0 or n % 5 == 0)
    assert read <= len(labelled) + OVERHEAD  # one page of 20,000 at most: the unlabelled are counted, not read
    body = {"datasetId": dataset_id, "per_page": 50, "page": 2}
    answer, read = _reads(handle.store, lambda: api.post("annotations.list", body).json())
    assert answer["total"] == IMAGES and len(answer["entities"]) == 50
    assert read <= 50 * 6 + OVERHEAD  # per image: the image, classes, tag metas, figures, tags


def test_figures_list_reads_the_figures_asked_for(big):
    handle, api, dataset_id = big
    first = [info.id for info in api.image.get_list(dataset_id, limit=16)]
    body = {"datasetId": dataset_id, "filter": [{"field": "entityId", "operator": "in", "value": first}]}
    answer, read = _reads(handle.store, lambda: api.post("figures.list", body).json())
    expected = sum((n % 3 == 0) + (n % 5 == 0) for n in range(16))
    assert answer["total"] == expected and {e["entityId"] for e in answer["entities"]} <= set(first)
    assert read <= expected * 3 + OVERHEAD


@pytest.mark.parametrize(
    "body",
    [
        {"filter": [{"field": "labelsCount", "operator": ">=", "value": 1}], "sort": "name", "sort_order": "desc"},
        {"filter": [{"field": "description", "operator": "!=", "value": "x"}], "sort": "description"},
        {"filter": [{"field": "description", "operator": "=", "value": None}], "per_page": 7, "page": 3},
        {"filter": [{"field": "description", "operator": "in", "value": [None, "x"]}], "sort": "labelsCount"},
        {"filter": [{"field": "description", "operator": "!in", "value": ["x"]}], "sort_order": "desc"},
        {"filter": [{"field": "description", "operator": "!in", "value": [None]}], "sort": "labelsCount"},
        {"filter": [{"field": "link", "operator": "=", "value": None}], "sort": "ext", "per_page": 9, "page": 4},
        {"sort": "labelsCount", "sort_order": "desc", "pagination_mode": "token", "after": "95", "per_page": 30},
        {"filter": [{"field": "meta", "operator": "=", "value": {}}], "sort": "name"},  # JSON-only: paged in Python
        {"filter": [{"field": "name", "operator": "<", "value": "00100.jpg"}], "sort": "pathOriginal"},
    ],
)
def test_sql_pages_answer_what_paging_page_answers(big, body):
    handle, api, dataset_id = big
    body = {"per_page": 1000, **body}
    rows = handle.store.rows(
        "SELECT i.*, b.mime, b.size, b.width, b.height, d.project_id FROM images i JOIN blobs b ON b.hash = i.hash "
        "JOIN datasets d ON d.id = i.dataset_id WHERE i.dataset_id = ? ORDER BY i.id",
        (dataset_id,),
    )
    expected = paging.page([image_json(handle.store, row, handle.server_address) for row in rows], body)
    answer = api.post("images.list", {"datasetId": dataset_id, **body}).json()
    assert answer["entities"], "each case picks some images"
    assert {k: v for k, v in answer.items() if k != "entities"} == {
        k: v for k, v in expected.items() if k != "entities"
    }
    assert [e["id"] for e in answer["entities"]] == [e["id"] for e in expected["entities"]]
    assert answer["entities"][0] == expected["entities"][0]


def test_bad_filters_and_sorts_are_refused_naming_the_field(big):
    handle, _, dataset_id = big
    for body, message in [
        ({"filter": [{"field": "colour", "operator": "=", "value": 1}]}, "cannot filter by unknown field 'colour'"),
        ({"sort": "colour"}, "cannot sort by unknown field 'colour'"),
        ({"filter": [{"field": "id", "operator": "in", "value": 3}]}, "needs a list value"),
        ({"filter": [{"field": "id", "operator": "~", "value": 3}]}, "filter operator '~' is not supported"),
        ({"filters": [{"type": "tagged", "data": {}}]}, "filter type 'tagged' is not supported"),
        ({"sort_order": "up"}, "sort_order must be 'asc' or 'desc'"),
    ]:
        raw = requests.post(
            f"{handle.server_address}/public/api/v3/images.list",
            json={"datasetId": dataset_id, **body},
            headers={"x-api-key": handle.token},
        )
        assert raw.status_code == 400 and message in raw.text, (body, raw.text)
