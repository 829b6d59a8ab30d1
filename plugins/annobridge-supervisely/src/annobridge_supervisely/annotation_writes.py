"""What annotations.write does to neutral annotations before they are sent: authors, merging, appending.

Supervisely records who drew an object as its labelerLogin, a login; an author that is not a
member of the team (or a user id that is not) cannot be one, so it is written as the uploader's
and counted (the stash keeps the author given, for the way back). An image holds one annotation:
several for one image are merged (counted when they replace what it held). Appending puts the new
objects and tags after those the image holds, and stashes what neither can show for the whole.
"""

from __future__ import annotations

from typing import Any, Iterable

from annobridge.annotations import ItemAnnotation
from annobridge.errors import ValidationError
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.ids import id_if_numeric
from annobridge.models import ReviewStatus
from annobridge.transfer import Record

from .figures_native import CUSTOM, split_stash
from .transfer import merge_annotations

__all__ = ["Authors", "appended", "appended_stashed", "merged"]


class Authors:
    """Neutral authors (logins or user ids) as labelerLogins of the team's members; the rest counted.

    >>> from types import SimpleNamespace as NS
    >>> authors = Authors({7: NS(login="admin")}, team=8)
    >>> authors.login("admin"), authors.login(7), authors.login("stranger")
    ('admin', 'admin', None)
    >>> authors.report.count("author", "approximated")
    1
    """

    def __init__(self, members: dict[int, Any], *, team: Any) -> None:
        self.by_id = {user_id: m.login for user_id, m in members.items()}
        self.logins = set(self.by_id.values())
        self.team = team
        self.report = FidelityReport()

    def login(self, author: Any, item: Any = None, report: FidelityReport | None = None) -> str | None:
        """The login `author` is written as: a member's login, else None (the uploader's), counted in `report`
        (this Authors' own by default)."""
        if author is None:
            return None
        if isinstance(author, str) and author in self.logins:
            return author
        user_id = id_if_numeric(author)
        if user_id is not None and user_id in self.by_id:
            return self.by_id[user_id]
        (self.report if report is None else report).approximated(
            "author", SUPERVISELY, f"not a member of team {self.team}: recorded as the uploader", item=item
        )
        return None

    def apply(self, annotation: ItemAnnotation, report: FidelityReport | None = None) -> ItemAnnotation:
        """The annotation with every author (its own, its objects', its tags') written as a member's login; the
        others counted in `report` (this Authors' own by default)."""
        item = annotation.item
        own = self.login(annotation.author, item, report)

        def tags(entries: Iterable) -> tuple:
            return tuple(t.model_copy(update={"author": self.login(t.author, item, report)}) for t in entries)

        objects = tuple(
            o.model_copy(update={"author": self.login(o.author, item, report), "tags": tags(o.tags)})
            for o in annotation.objects
        )
        return annotation.model_copy(update={"author": own, "objects": objects, "tags": tags(annotation.tags)})


def merged(item: Any, annotations: list[ItemAnnotation], report: FidelityReport, *, counted: bool) -> ItemAnnotation:
    """Several annotations of one image as its one: objects and tags keep their authors; with `counted` the
    merge is reported (it replaces what the image held), else it is what appending means and is not a loss."""
    if len(annotations) == 1:
        return annotations[0]
    record = Record(key=str(item), name=str(item), annotations=list(annotations))
    merged_one = merge_annotations(record, report if counted else FidelityReport())
    return merged_one.model_copy(update={"item": item})  # type: ignore[union-attr]


def appended(held: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The annotation JSON an image holds with `new`'s objects and tags after its own; a description is added
    to the one it holds (on a new line) unless it is the same; custom data is both's, the held one's first.

    >>> both = appended({"objects": [{"id": 1}], "tags": [], "description": "a"},
    ...                 {"objects": [{"classTitle": "kiwi"}], "tags": [{"name": "ripe"}], "description": "b"})
    >>> both["objects"], both["tags"], both["description"]
    ([{'id': 1}, {'classTitle': 'kiwi'}], [{'name': 'ripe'}], 'a\\nb')
    """
    text = _appended_text(held.get("description") or "", new.get("description") or "")
    return {
        **held,
        "objects": [*(held.get("objects") or []), *(new.get("objects") or [])],
        "tags": [*(held.get("tags") or []), *(new.get("tags") or [])],
        "description": text,
        CUSTOM: {**(new.get(CUSTOM) or {}), **(held.get(CUSTOM) or {})},
    }


def appended_stashed(
    held: dict[str, Any], original: ItemAnnotation, new: dict[str, Any], report: FidelityReport, meta
) -> tuple[dict[str, Any], FidelityReport]:
    """`appended(held, new)` for an image holding `held` (with its stash, if any), where `new` is to_supervisely's
    JSON (without a stash) for `original`: carrying the stash of what the two together cannot show, and `report`
    with those losses counted as kept. On an image holding nothing it is what replacing would send."""
    from .figures import from_supervisely, stashed

    plain, had_stash = split_stash(held)
    try:
        old, _ = from_supervisely(held, meta, item=original.item, width=original.width, height=original.height)
    except ValidationError:  # what the image holds no longer fits the meta: appended as it is, nothing stashed
        return appended(plain, new), report
    if not (old.objects or old.tags or old.description):
        return stashed(original, appended(plain, new), meta, report, always=had_stash is not None)
    whole = original.model_copy(
        update={
            "objects": old.objects + original.objects,
            "tags": old.tags + original.tags,
            "description": _appended_text(old.description, original.description),
            "author": old.author if old.author is not None else original.author,
            "review_status": old.review_status if original.review_status is ReviewStatus.NONE
            else original.review_status,
            "kept": {**old.kept, **original.kept},
        }
    )
    return stashed(whole, appended(plain, new), meta, report, always=True)


def _appended_text(old: str, new: str) -> str:
    return old if not new or new == old else "\n".join(t for t in (old, new) if t)
