"""Supervisely annotation JSON (sly.Annotation.to_json) <-> the neutral ItemAnnotation, via the SDK's own classes.

Supervisely coordinates are whole pixels; a rectangle's right and bottom are x + width and
y + height, as the SDK's COCO and Label Studio importers write them. Subpixel coordinates
are rounded to the nearest pixel and counted. A plain Supervisely rectangle cannot turn: a
rotated rectangle becomes its bounding rectangle, unless its class is oriented_bbox (or
any), which keeps the angle. Bitmaps are read and written by sly.Bitmap (base64 zlib PNG).
An object's origin is Supervisely's labeling status: manual, auto (made by a model,
nnCreated and nnUpdated) or corrected (made by a model, changed by a person), as
ObjectOrigin MANUAL, MODEL and MODEL_CORRECTED. The conversions are figures_read.py and
figures_write.py; what to_supervisely returns has been read back with sly.Annotation.from_json.

Kept for the way back (annobridge.keep): what a Supervisely annotation holds that annobridge has no
field for (custom data, smart tool input, instance keys, shapes annobridge lacks, the exact JSON
of a shape) is the item's native residue, `kept["supervisely"]`, and to_supervisely gives it back
while the item is as it was read. What Supervisely cannot hold of an item from elsewhere (a Label
Studio region id, a subpixel coordinate, a user id as author...) is stashed in the annotation's
customBigData["annobridge"] and restored by from_supervisely while the item is unchanged.

    >>> meta = {"classes": [{"title": "kiwi", "shape": "point", "color": "#00FF00"}]}
    >>> dot = {"classTitle": "kiwi", "tags": [], "nnCreated": True, "nnUpdated": True,
    ...        "points": {"exterior": [[2, 3]], "interior": []}}
    >>> neutral, _ = from_supervisely({"size": {"height": 4, "width": 6}, "objects": [dot]}, meta, item=7)
    >>> neutral.objects[0].origin.value
    'model'
    >>> back, report = to_supervisely(neutral, meta)
    >>> back["objects"][0]["points"]["exterior"], back["objects"][0]["nnCreated"], report.lossless
    ([[2, 3]], True, True)
"""

from __future__ import annotations

from typing import Any

from annobridge import keep
from annobridge.annotations import ItemAnnotation, Keypoints, Point, Polygon, Polyline, Rectangle
from annobridge.errors import ValidationError
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.models import Id

from .figures_native import completed, split_stash, with_stash, writable
from .figures_read import convert_from_supervisely
from .figures_write import check_parses, convert_to_supervisely
from .meta import project_meta

__all__ = ["from_supervisely", "stashed", "to_supervisely"]

_RESIDUE = f"{SUPERVISELY} data kept for the way back"


def from_supervisely(
    annotation: dict[str, Any],
    meta,
    *,
    item: Id | None = None,
    width: int | None = None,
    height: int | None = None,
) -> tuple[ItemAnnotation, FidelityReport]:
    """The neutral ItemAnnotation of a Supervisely annotation JSON, checked against its ProjectMeta (JSON or
    sly.ProjectMeta), with what annobridge keeps for the way back; `width`/`height` stand in when the annotation
    has no size. Unknown classes or tags, and shapes the SDK would silently mend, raise ValidationError naming the
    item and the object.

    >>> meta = {"classes": [{"title": "kiwi", "shape": "point", "color": "#00FF00"}]}
    >>> ann = {"size": {"height": 4, "width": 6}, "tags": [], "customBigData": {"batch": 7}, "objects": [
    ...     {"classTitle": "kiwi", "tags": [], "points": {"exterior": [[2, 3]], "interior": []}}]}
    >>> neutral, report = from_supervisely(ann, meta, item="a.jpg")
    >>> neutral.objects[0].shape.x, report.lossless, report.losses()
    (Fraction(2, 1), True, ['annotation custom data -> kept for the way back (annobridge): 1  [a.jpg]'])
    >>> to_supervisely(neutral, meta)[0]["customBigData"]
    {'batch': 7}
    """
    project = project_meta(meta)
    plain, stash = split_stash(annotation)
    neutral, report = _read(plain, project, item=item, width=width, height=height)
    return keep.restored(neutral, stash, report, SUPERVISELY), report


def to_supervisely(
    annotation: ItemAnnotation, meta, *, stash: bool = True
) -> tuple[dict[str, Any], FidelityReport]:
    """A Supervisely annotation JSON for a neutral ItemAnnotation, built with the SDK against `meta`.

    The result parses with sly.Annotation.from_json(result, meta); what Supervisely held of the item when it was
    read from Supervisely comes back. With `stash` (the JSON is written whole, so its customBigData travels with
    it) what it cannot hold is stashed there and counted as kept; without, it is counted as lost. Classes, tags,
    keypoint names and tag values that the meta does not have raise ValidationError naming the item and the object.

    >>> from annobridge.annotations import ObjectAnnotation, Point
    >>> meta = {"classes": [{"title": "pin", "shape": "point", "color": "#FF0000"}]}
    >>> ann = ItemAnnotation(width=10, height=10, objects=[ObjectAnnotation(class_name="pin", id="r1",
    ...     shape=Point(x=1.5, y=2))])
    >>> data, report = to_supervisely(ann, meta)
    >>> data["objects"][0]["points"]["exterior"], sorted(data["customBigData"]["annobridge"])
    ([[2, 2]], ['digest', 'patch', 'v'])
    >>> report.losses()
    ['subpixel coordinates -> kept for the way back (supervisely, shown rounded to whole pixels): 1']
    >>> from_supervisely(data, meta)[0].objects[0] == ann.objects[0]
    True
    """
    project = project_meta(meta)
    native, report = convert_to_supervisely(annotation, project)
    native, residue = _residue_restored(annotation, native, project)
    check_parses(native, project, annotation)
    if stash:
        native, report = stashed(annotation, native, project, report)
    report.merge(residue)
    return native, report


def stashed(
    original: ItemAnnotation, native: dict[str, Any], meta, report: FidelityReport, *, always: bool = False
) -> tuple[dict[str, Any], FidelityReport]:
    """`native` (to_supervisely's JSON for an item, without a stash) carrying in its customBigData what reading it
    back would lack of `original`, and `report` (that conversion's) with those losses counted as kept; `native`
    and `report` themselves when nothing is lacking. Only for JSON that is written whole.

    The read back always runs (`always` is kept for callers): the SDK itself changes geometry it finds past the
    image edge (a rectangle's bottom at the image height becomes height - 1) without a word, so an exact report
    cannot promise an exact read back.
    """
    project = project_meta(meta)
    read_back, _ = _read(native, project, item=original.item)
    entry = keep.stash(original, read_back, SUPERVISELY)
    if entry is None:
        return native, report
    return with_stash(native, entry), keep.as_kept(report)


def _folded(annotation: ItemAnnotation) -> bool:
    """Whether the item has what Supervisely writes in another form, no loss but not read back the same: object ids
    that are not numbers, coordinates a hair off a whole pixel (not counted as subpixel), turned boxes (radians
    and pixel corners), authors that are not logins, authors that objects and tags take from the item or the item
    from them (Supervisely has an author per object and tag only)."""
    if any(o.id is not None and not isinstance(o.id, int) for o in annotation.objects):
        return True
    if not all(_whole(o.shape) for o in annotation.objects):
        return True
    things = [*annotation.tags, *annotation.objects, *(t for o in annotation.objects for t in o.tags), annotation]
    if any(t.author is not None and not isinstance(t.author, str) for t in things):
        return True
    pairs = [(t.author, t.author if t.author is not None else annotation.author) for t in annotation.tags]
    for obj in annotation.objects:
        drawn_by = obj.author if obj.author is not None else annotation.author
        pairs.append((obj.author, drawn_by))
        pairs += [(t.author, t.author if t.author is not None else drawn_by) for t in obj.tags]
    if any(own is None and written is not None for own, written in pairs):
        return True
    named = {written for _, written in pairs}
    return (next(iter(named)) if len(named) == 1 else None) != annotation.author


def _whole(shape) -> bool:
    """Whether Supervisely writes the shape as it is: whole pixels, not turned."""
    if isinstance(shape, Rectangle):
        if shape.rotation % 360:
            return False
        values = [shape.x, shape.y, shape.width, shape.height]
    elif isinstance(shape, Polygon):
        values = [v for ring in (shape.exterior, *shape.interiors) for point in ring for v in point]
    elif isinstance(shape, Polyline):
        values = [v for point in shape.points for v in point]
    elif isinstance(shape, Point):
        values = [shape.x, shape.y]
    elif isinstance(shape, Keypoints):
        values = [v for p in shape.points for v in (p.x, p.y)]
    else:  # a mask: whole pixels by construction
        return True
    return all(value.denominator == 1 for value in values)


def _read(plain: dict[str, Any], project, *, item, width=None, height=None) -> tuple[ItemAnnotation, FidelityReport]:
    """The conversion, and what Supervisely held beyond it as the native residue (counted as kept)."""
    neutral, report = convert_from_supervisely(plain, project, item=item, width=width, height=height)
    held = writable({**plain, "size": {"height": neutral.height, "width": neutral.width}}, project)
    try:
        written = writable(convert_to_supervisely(neutral, project)[0], project)
    except ValidationError:  # cannot happen for what was read against the same meta; then there is no residue
        return neutral, report
    if written == held:  # the usual case, found without a diff
        return neutral, report
    neutral = keep.with_native_residue(neutral, SUPERVISELY, written, held)
    return neutral, keep.as_kept(report) if SUPERVISELY in neutral.kept else report


def _residue_restored(annotation: ItemAnnotation, native: dict[str, Any], project) -> tuple[dict, FidelityReport]:
    """`native` with the residue the item kept from Supervisely applied, if it still fits; and what became of it."""
    report = FidelityReport()
    if SUPERVISELY not in annotation.kept:
        return native, report
    plain = writable(native, project)
    back = keep.native_restored(annotation, SUPERVISELY, plain, report)
    if back is plain:
        return native, report
    back = completed(back, project)
    try:
        check_parses(back, project, annotation)
    except ValidationError:  # e.g. a class the target's meta lacks
        failed = FidelityReport()
        failed.dropped(_RESIDUE, SUPERVISELY, "the project's meta cannot hold it", item=annotation.item)
        return native, failed
    return back, report
