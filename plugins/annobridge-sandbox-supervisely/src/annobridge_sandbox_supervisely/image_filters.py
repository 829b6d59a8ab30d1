"""The typed filters of images.list (ImageApi.get_filtered_list), each filter type as an SQL condition on images `i`."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .store import dumps


def filters_sql(filters: Any) -> tuple[str, list]:
    """The typed `filters` list (the web app's image filters, ImageApi.get_filtered_list) as one " AND ..." condition.

    A type the SDK sends that the sandbox cannot honour answers 400 naming the type and why.
    """
    if filters is not None and not isinstance(filters, list):
        raise bad_request("'filters' must be a list of {type, data} objects", field="filters")
    sql, args = "", []
    for flt in filters or []:
        kind = flt.get("type") if isinstance(flt, dict) else None
        data = (flt.get("data") or {}) if isinstance(flt, dict) else {}
        if not isinstance(data, dict):
            raise bad_request(f"images.list filter {kind!r} needs an object 'data'", field="filters")
        if kind in _UNSERVED_FILTERS:
            raise bad_request(
                f"images.list filter type {kind!r} is not served by the sandbox: {_UNSERVED_FILTERS[kind]}",
                field="filters",
            )
        if kind not in _FILTERS:
            raise bad_request(f"images.list filter type {kind!r} is not supported by the sandbox", field="filters")
        condition, condition_args = _FILTERS[kind](data)
        sql += " AND " + condition
        args += condition_args
    return sql, args


def _filename_sql(data: dict) -> tuple[str, list]:
    """images_filename {value}: names containing the text, ignoring case (the web app's "By filename")."""
    value = data.get("value")
    if not isinstance(value, str) or not value:
        raise bad_request("an images_filename filter needs data.value, the text to find in names", field="filters")
    return "instr(lower(i.name), lower(?)) > 0", [value]


def _images_tag_sql(data: dict) -> tuple[str, list]:
    """images_tag {tagId, include, value?}: images with (include False: without) the tag, with that value if given.

    A number tag's value may be a {from, to} range (the web app sends its bounds as strings).
    """
    tag_id = data.get("tagId")
    if not isinstance(tag_id, int) or isinstance(tag_id, bool):
        raise bad_request("an images_tag filter needs data.tagId, the tag meta's id", field="filters")
    tagged, tagged_args = "SELECT 1 FROM image_tags it WHERE it.image_id = i.id AND it.tag_id = ?", [tag_id]
    value = data.get("value")
    if isinstance(value, dict):
        tagged += " AND CAST(json_extract(it.value, '$') AS REAL) BETWEEN CAST(? AS REAL) AND CAST(? AS REAL)"
        tagged_args += [value.get("from", -1e308), value.get("to", 1e308)]
    elif value is not None:
        tagged += " AND json_extract(it.value, '$') = json_extract(?, '$')"
        tagged_args.append(dumps(value))
    return f"{'EXISTS' if data.get('include', True) else 'NOT EXISTS'} ({tagged})", tagged_args


def _objects_annotator_sql(data: dict) -> tuple[str, list]:
    """objects_annotator {userId?, from, to}: images with from..to objects drawn by the user (any user without one)."""
    count, count_args = "SELECT COUNT(*) FROM figures f WHERE f.image_id = i.id", []
    if data.get("userId") is not None:
        count += " AND f.labeler_login = (SELECT login FROM users WHERE id = ?)"
        count_args.append(data["userId"])
    return f"(({count}) BETWEEN ? AND ?)", [*count_args, *_range(data, 1)]


def _objects_class_sql(data: dict) -> tuple[str, list]:
    """objects_class {classId?, from, to, include}: images with from..to objects (of the class); include False: not."""
    count, count_args = "SELECT COUNT(*) FROM figures f WHERE f.image_id = i.id", []
    if data.get("classId") is not None:
        count, count_args = count + " AND f.class_id = ?", [data["classId"]]
    inside = f"(({count}) BETWEEN ? AND ?)"
    return (inside if data.get("include", True) else f"NOT {inside}"), [*count_args, *_range(data, 0)]


def _objects_tag_sql(data: dict) -> tuple[str, list]:
    """objects_tag {tagId, value?, tagClassId?, from, to, include}: images with from..to objects carrying the tag.

    The web app's "Objects with tag" / "Objects without tag": with include False the objects counted are
    those lacking the tag (with that value when one is given); tagClassId limits both to one class's objects.
    """
    tag_id = data.get("tagId")
    if not isinstance(tag_id, int) or isinstance(tag_id, bool):
        raise bad_request("an objects_tag filter needs data.tagId, the tag meta's id", field="filters")
    tagged, tagged_args = "SELECT 1 FROM figure_tags ft WHERE ft.figure_id = f.id AND ft.tag_id = ?", [tag_id]
    if data.get("value") is not None:
        # json_extract compares numbers by value (5 = 5.0) and strings as they are
        tagged += " AND json_extract(ft.value, '$') = json_extract(?, '$')"
        tagged_args.append(dumps(data["value"]))
    has = "EXISTS" if data.get("include", True) else "NOT EXISTS"
    count, count_args = f"SELECT COUNT(*) FROM figures f WHERE f.image_id = i.id AND {has} ({tagged})", tagged_args
    if data.get("tagClassId") is not None:
        count, count_args = count + " AND f.class_id = ?", [*count_args, data["tagClassId"]]
    return f"(({count}) BETWEEN ? AND ?)", [*count_args, *_range(data, 1)]


_FILTERS = {
    "images_filename": _filename_sql,
    "images_tag": _images_tag_sql,
    "objects_tag": _objects_tag_sql,
    "objects_class": _objects_class_sql,
    "objects_annotator": _objects_annotator_sql,
}
# filter types the SDK may send that the sandbox declines, each with why
_UNSERVED_FILTERS = {
    "tagged_by_annotator": "which tags it counts (image, object or both) is not documented",
    "issues_count": "the sandbox keeps no issues",
    "job": "its data shape is not documented (list a job's images with api.labeling_job.get_info_by_id)",
    "entities_collection": "the sandbox keeps no entity collections",
    "entities_ai_search_collection": "AI search needs the embeddings service a real instance runs beside the API",
}


def _range(data: dict, lowest: int) -> list[int]:
    """The filter's [from, to] object count range; a missing bound is `lowest` or unbounded."""
    return [data.get("from", lowest), data.get("to", 10**9)]
