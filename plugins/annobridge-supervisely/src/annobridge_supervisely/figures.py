"""Supervisely annotation JSON (sly.Annotation.to_json) <-> the neutral ItemAnnotation, via the SDK's own classes.

Supervisely coordinates are whole pixels; a rectangle's right and bottom are x + width and
y + height, as the SDK's COCO and Label Studio importers write them. Subpixel coordinates
are rounded to the nearest pixel and counted. A plain Supervisely rectangle cannot turn: a
rotated rectangle becomes its bounding rectangle, unless its class is oriented_bbox (or
any), which keeps the angle. Bitmaps are read and written by sly.Bitmap (base64 zlib PNG).
An object's origin is Supervisely's labeling status: manual, auto (made by a model,
nnCreated and nnUpdated) or corrected (made by a model, changed by a person), as
ObjectOrigin MANUAL, MODEL and MODEL_CORRECTED. Reading is figures_read.py, writing
figures_write.py; what to_supervisely returns has been read back with sly.Annotation.from_json.

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

from .figures_read import from_supervisely
from .figures_write import to_supervisely

__all__ = ["from_supervisely", "to_supervisely"]
