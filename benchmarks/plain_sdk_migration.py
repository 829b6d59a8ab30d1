"""The plain-SDK migration a user writes from the seed tutorials: Supervisely -> Label Studio, one image at a time.

    >>> migrate_per_item(sv_address, sv_token, ls_url, ls_token, project_id=5556, title="copy")  # doctest: +SKIP

Supervisely side (sly.Api, as the Labeling Jobs tutorial uses it): the project meta once, the
image list of each dataset, then per image `image.download_path` and `annotation.download`.
Label Studio side (the seed's `Client`/`Project` module): `start_project` with a label config
written for the classes, then per image `import_tasks(<image file>)` (uploads it, one task) and
`create_annotation(task_id, result=...)`. `to_ls_result` is the conversion such a script needs;
the server-bulk-import way reuses it to prepare its tasks.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any


def label_config(meta: Any) -> str:
    """A label config for a ProjectMeta: one *Labels control per geometry, per-region Choices for oneof tags.

    >>> "<RectangleLabels" in label_config(sly.ProjectMeta.from_json(META))      # doctest: +SKIP
    True
    """
    import supervisely as sly

    controls = {sly.Rectangle: "RectangleLabels", sly.Polygon: "PolygonLabels", sly.Bitmap: "BrushLabels"}
    lines = ["<View>", '  <Image name="image" value="$image"/>']
    for obj_class in meta.obj_classes:
        tag = controls[obj_class.geometry_type]
        lines.append(f'  <{tag} name="{obj_class.name}_label" toName="image"><Label value="{obj_class.name}"/></{tag}>')
    for tag_meta in meta.tag_metas:
        choices = "".join(f'<Choice value="{value}"/>' for value in tag_meta.possible_values or [])
        lines.append(f'  <Choices name="{tag_meta.name}" toName="image" perRegion="true">{choices}</Choices>')
    return "\n".join(lines + ["</View>"])


def to_ls_result(ann: Any) -> list[dict]:
    """Label Studio result items for a sly.Annotation: regions in percent, masks as brush RLE, tags per region."""
    import numpy as np
    import supervisely as sly
    from label_studio_sdk.converter.brush import mask2rle

    height, width = ann.img_size
    results = []
    for label in ann.labels:
        geometry, name = label.geometry, label.obj_class.name
        region = {
            "id": uuid.uuid4().hex[:10],
            "to_name": "image",
            "from_name": f"{name}_label",
            "original_width": width,
            "original_height": height,
            "image_rotation": 0,
        }
        if isinstance(geometry, sly.Rectangle):
            value = {
                "x": geometry.left / width * 100,
                "y": geometry.top / height * 100,
                "width": geometry.width / width * 100,
                "height": geometry.height / height * 100,
                "rotation": 0,
                "rectanglelabels": [name],
            }
            results.append({**region, "type": "rectanglelabels", "value": value})
        elif isinstance(geometry, sly.Polygon):
            points = [[p.col / width * 100, p.row / height * 100] for p in geometry.exterior]
            results.append({**region, "type": "polygonlabels", "value": {"points": points, "polygonlabels": [name]}})
        elif isinstance(geometry, sly.Bitmap):
            mask = np.zeros((height, width), dtype=np.uint8)
            geometry.draw(mask, 255)
            value = {"format": "rle", "rle": mask2rle(mask), "brushlabels": [name]}
            results.append({**region, "type": "brushlabels", "value": value})
        else:
            continue  # this script's config has no control for other shapes
        for tag in label.tags:
            results.append({**region, "from_name": tag.meta.name, "type": "choices", "value": {"choices": [tag.value]}})
    return results


def migrate_per_item(
    sv_address: str, sv_token: str, ls_url: str, ls_token: str, *, project_id: int, title: str, limit: int | None = None
) -> dict:
    """Copy a Supervisely project (its first `limit` images) into a new Label Studio project, per image;
    returns {"project", "tasks"}."""
    import supervisely as sly
    from label_studio_sdk import Client

    api = sly.Api(sv_address, sv_token)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project_id))
    ls = Client(url=ls_url, api_key=ls_token)
    project = ls.start_project(title=title, label_config=label_config(meta))
    tasks = 0
    with tempfile.TemporaryDirectory() as folder:
        for dataset in api.dataset.get_list(project_id):
            for info in api.image.get_list(dataset.id):
                if limit is not None and tasks >= limit:
                    return {"project": project.id, "tasks": tasks}
                path = Path(folder) / info.name
                api.image.download_path(info.id, str(path))
                ann = sly.Annotation.from_json(api.annotation.download(info.id).annotation, meta)
                task_ids = project.import_tasks(str(path))
                project.create_annotation(task_ids[0], result=to_ls_result(ann), ground_truth=False)
                path.unlink()
                tasks += 1
    return {"project": project.id, "tasks": tasks}


def prepare_tasks(sv_address: str, sv_token: str, *, project_id: int) -> tuple[str, list[dict]]:
    """(label config, task dicts with their annotation) for a server bulk import; images stay links.

    Read with the SDK's batch calls (annotation.download_batch), since this is the untimed preparation.
    """
    config, prepared = prepare_images(sv_address, sv_token, project_id=project_id, with_bytes=False)
    return config, [task for _, task, _ in prepared]


def prepare_images(
    sv_address: str, sv_token: str, *, project_id: int, with_bytes: bool = True
) -> tuple[str, list[tuple[str, dict, bytes | None]]]:
    """(label config, [(image name, task dict with its annotation and link, image bytes or None)]), in source order.

    The untimed preparation of a bulk import: annotations 100 a request (annotation.download_batch),
    images' bytes 100 a request (image.download_bytes) when `with_bytes`.
    """
    import supervisely as sly

    api = sly.Api(sv_address, sv_token)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project_id))
    prepared = []
    for dataset in api.dataset.get_list(project_id):
        infos = api.image.get_list(dataset.id)
        for start in range(0, len(infos), 100):
            chunk = infos[start : start + 100]
            ids = [info.id for info in chunk]
            anns = api.annotation.download_batch(dataset.id, ids)
            blobs = api.image.download_bytes(dataset.id, ids) if with_bytes else [None] * len(chunk)
            for info, ann_info, blob in zip(chunk, anns, blobs):
                ann = sly.Annotation.from_json(ann_info.annotation, meta)
                task = {"data": {"image": info.full_storage_url}, "annotations": [{"result": to_ls_result(ann)}]}
                prepared.append((info.name, task, blob))
    return label_config(meta), prepared
