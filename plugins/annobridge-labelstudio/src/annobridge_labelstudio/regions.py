"""Label Studio annotation results <-> the neutral ItemAnnotation, checked with the SDK's LabelInterface.

The conversions live in three modules: region_config.py (a config read once, percent <-> pixels),
regions_read.py (from_labelstudio) and regions_write.py (to_labelstudio); this module keeps their
public names importable from one place.

How a label config holds a LabelSchema (what label_config.py writes; any config is read the same way):

- an object class is a <Label value="class"> of a RectangleLabels, PolygonLabels, VectorLabels,
  KeyPointLabels or BrushLabels control (or of a Labels control beside Rectangle, Polygon... tools,
  whose regions are two results with one id, as the editor writes them: "rectangle" from the tool
  and "labels" from the Labels control);
- a keypoints class is a KeyPointLabels control named after the class, its Labels the node names.
  One graph is one region per visible node; the nodes after the first point to it with parentID;
- a polyline is an open VectorLabels region; where the class only has PolygonLabels it is
  approximated as a polygon;
- an item tag is a Choices (none: a single Choice; oneof_string), TextArea (any_string) or Number
  (any_number) control named after the tag; an object tag is the same with perRegion="true",
  named after the tag, or "<tag>_object" when the tag also has an item control.

Coordinates are percentages of original_width / original_height, turned into exact pixels (the whole
pixel a percentage was written from, when there is one), so percent -> pixels -> percent gives back the
same float and pixels -> percent -> pixels the same whole pixel. A coordinate or rotation no float holds
exactly (a third of a pixel, a Supervisely angle in radians) is counted as approximated on the way out.
Region ids are kept; ids annobridge has to make up are derived: "obj-<n>" for an object without one,
"<control>-item" for item-tag results, "<region>-<node>" for the second and later nodes of a graph,
"<region>-<n>" for vector vertices. Results without ids are read as objects of their own (regions_read.py).

What Label Studio held that annobridge has no field for comes back on the way back from the item's residue,
and what Label Studio cannot hold of an item from elsewhere from its task's meta (regions_keep.py).
"""

from __future__ import annotations

from .region_config import PER_REGION_SUFFIX
from .regions_read import from_labelstudio
from .regions_write import to_labelstudio

__all__ = ["PER_REGION_SUFFIX", "from_labelstudio", "to_labelstudio"]
