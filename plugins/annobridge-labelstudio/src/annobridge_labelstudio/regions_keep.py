"""Label Studio's side of keeping for the way back (annobridge.keep): what of an annotation counts, and the stash.

The native residue compares what annobridge would write for an item with what Label Studio held, over the fields a
write sets: the `result`, and the flags `ground_truth`, `was_cancelled` and `lead_time` where they are set (ids,
authors and timestamps are the server's). The stash of a neutral item that Label Studio cannot hold lives in its
task's `meta` under annobridge.keep.KEY, as {"v": 1, "annotations": [stash, ...]}: one entry per annotation
annobridge wrote there, matched to an annotation by its content digest when read. A writer that can store it asks
to_labelstudio for it with keep=True and finds it under STASH in the returned dict, which it pops before sending.
"""

from __future__ import annotations

from typing import Any, Iterable

from annobridge import keep

__all__ = ["FLAGS", "STASH", "idless", "native", "task_meta", "task_stashes"]

FLAGS = ("ground_truth", "was_cancelled", "lead_time")  # annotation fields a write sets besides its result
STASH = "annobridge_stash"  # where to_labelstudio(keep=True) hands out the stash; writers pop it


def native(data: dict[str, Any]) -> dict[str, Any]:
    """What of a Label Studio annotation a write sets: its result and the flags that are set.

    >>> native({"id": 4, "result": [], "ground_truth": False, "lead_time": 2.5, "completed_by": 1})
    {'result': [], 'lead_time': 2.5}
    """
    return {"result": data.get("result") or [], **{k: data[k] for k in FLAGS if data.get(k)}}


def idless(written: dict[str, Any]) -> dict[str, Any]:
    """`written` without region ids and what is named after them (parentID, vertex ids): what the residue's digest
    covers, since ids are what another backend's server may assign on a trip (a Supervisely figure id for a
    region that had none), and the residue itself puts back the ids Label Studio held.

    >>> idless({"result": [{"id": "a", "parentID": "b", "value": {"vertices": [{"id": "a-0", "x": 1}]}}]})
    {'result': [{'value': {'vertices': [{'x': 1}]}}]}
    """
    results = []
    for region in written.get("result") or []:
        region = {k: v for k, v in region.items() if k not in ("id", "parentID")}
        value = region.get("value")
        if isinstance(value, dict) and isinstance(value.get("vertices"), list):
            vertices = [{k: v for k, v in p.items() if k not in ("id", "prevPointId")} if isinstance(p, dict) else p
                        for p in value["vertices"]]
            region["value"] = {**value, "vertices": vertices}
        results.append(region)
    return {**written, "result": results}


def task_stashes(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The stashes annobridge left in a task's meta (none when the meta holds none or another format).

    >>> task_stashes({"meta": {"annobridge": {"v": 1, "annotations": [{"v": 1, "digest": "d", "patch": []}]}}})
    [{'v': 1, 'digest': 'd', 'patch': []}]
    """
    kept = (task.get("meta") or {}).get(keep.KEY) if isinstance(task.get("meta"), dict) else None
    found = kept.get("annotations") if isinstance(kept, dict) else None
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def task_meta(meta: dict[str, Any] | None, stashes: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """A task's meta holding `stashes` too (after those it held; None entries left out), the rest as it was.

    >>> meta = task_meta({"source": "x"}, [None, {"v": 1, "digest": "d", "patch": []}])
    >>> meta["source"], meta["annobridge"]["annotations"][0]["digest"]
    ('x', 'd')
    """
    meta = dict(meta or {})
    new = [s for s in stashes if s is not None]
    if not new:
        return meta
    old = task_stashes({"meta": meta})
    meta[keep.KEY] = {"v": keep.VERSION, "annotations": old + [s for s in new if s not in old]}
    return meta
