"""verify(): compare a migration's source and target item by item, and tell the differences its conversion explains.

Example (against a live backend)::

    report = annobridge.verify("supervisely://app.supervisely.com", "labelstudio://ls.example.com",
                               project="Lemons (Test)", target_project="Lemons (LS)")
    report.ok, report.differences_unexplained  # -> (True, 0)

The rules:

- Items are matched by source key: every item a migration carries holds the source item's id as text
  (`transfer.present` on the target: Label Studio task data, Supervisely image meta); the source's items
  are read page by page (`transfer.read`), their keys being their ids as text. An item on one side only is
  a difference no conversion explains; target items carrying no source key were not carried by a
  migration and are only counted.
- S is the source item's neutral annotations, T the target item's (`annotations.list(project_id=,
  item_ids=)` on each side, a page of items a request). Each item's annotations are compared as one
  view (verify_compare.py), however many annotations each backend splits them into: image size,
  descriptions, review statuses, item tags by name, and objects paired within their class, each as the
  JSON of `ObjectAnnotation.model_dump(mode="json")` with the author it has (its own, else its annotation's).
- Not compared, because the target's server or backend owns them: object ids (Supervisely gives every
  figure a new id on each write, Label Studio names regions after the ids it was given), `updated_at`
  (the Supervisely server stamps every upload), the item id, `ItemAnnotation.kept` (a backend's own
  residue) and the brush RLE a mask was read from (a cache; masks compare pixel by pixel).
- Compared only where the source has a value: authors and `created_at`. Supervisely stamps a figure with
  the time and the uploader when none is given, and Label Studio makes the token's user the author of an
  annotation that names none.
- Source authors are compared as the migration writes them: through the same user map (`user_map`, else
  by login, then email); a source author without a target user is compared as no author.
- A difference is explained when the target's own converters make of S what T holds there:
  E = target.annotations.from_native(target.annotations.to_native(S)). A target with no native form of its
  own (to_native unsupported) holds the neutral model as it is: E = S, and every difference is unexplained.
- The loss table is the conversion report: what reading the source (`transfer.read`) and converting for
  the target (`transfer.preview`) carried, approximated, kept for the way back or dropped. Each kept
  difference lists its item's lines of it.

Memory stays flat: pages are read and compared one at a time; only the source keys -> target ids of the
target (ids and keys only), counters, the capped list of differences and the sampled items are kept.
"""

from __future__ import annotations

import hashlib
import heapq
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterable, Mapping

from .connection import provider_of
from .errors import AnnobridgeError, NotFound, Unsupported, ValidationError
from .fidelity import FidelityReport
from .migration_target import find_project
from .migration_users import UserMap, load_user_map
from .models import Id
from .provider import Provider
from .transfer import Record
from .verify_compare import MISSING, Found, compare, view
from .verify_report import RANK, Difference, ItemCounts, Sample, Status, VerifyReport

if TYPE_CHECKING:
    from .annotations import ItemAnnotation
    from .schema import LabelSchema

__all__ = ["Difference", "ItemCounts", "Sample", "VerifyReport", "verify"]

KEYS_KEPT = 100  # keys of items on one side only listed in the report (all are counted)
Progress = Callable[[int], ContextManager[Callable[[int], None]]]


def verify(
    source: str | Provider,
    target: str | Provider,
    project: Id,
    target_project: Id,
    *,
    user_map: Mapping[str, Any] | str | Path | None = None,
    batch_size: int = 100,
    sample: int = 12,
    max_differences: int = 200,
    html: str | Path | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """Compare `project` on `source` with `target_project` on `target` item by item (see the module docstring).

    `source` and `target` are backend URLs or connected providers; the projects are ids or names (NotFound
    when missing). `user_map` is migrate's (a dict, or a .json/.csv file). `sample` items (unexplained ones
    first, then chosen by a digest of their source key) are kept for the picture; `html` writes it as one
    self-contained page. `max_differences` caps the differences listed (all are counted). `progress(total)`,
    when given, is a context manager yielding advance(n), told of every page.

    Example (against a live backend)::

        report = verify(sv, ls, project=5555, target_project="Lemons (LS)", html="lemons.html")
        report.items.matched, report.ok  # -> (6, True)
    """
    for name, value, least in (("batch_size", batch_size, 1), ("sample", sample, 0), ("max_differences",
                                                                                       max_differences, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValidationError(f"{name}: expected an integer of at least {least}, got {value!r}")
    page_file = _html_path(html)
    explicit = load_user_map(user_map)
    with ExitStack() as stack:
        src, dst = provider_of(source, stack), provider_of(target, stack)
        found = find_project(src, project, "project")
        if found is None:
            raise NotFound(f"project: no project {project!r} on {src.describe()}")
        there = find_project(dst, target_project, "target_project")
        if there is None:
            raise NotFound(f"target_project: no project {target_project!r} on {dst.describe()}")
        users = UserMap(src.users.list(), dst.users.list(), explicit)
        users.check_complete()
        run = _Run(src, dst, found.id, there.id, users, batch_size=batch_size, sample=sample, cap=max_differences)
        run.report.target_project_name = there.name
        run.execute(progress)
        if page_file is not None:
            from .verify_html import write_page

            run.read_media()
            write_page(run.report, page_file, colors=run.colors())
        return run.report


def _html_path(html: str | Path | None) -> Path | None:
    """Where the page goes; ValidationError before anything is read when its folder is missing."""
    if html is None:
        return None
    path = Path(html)
    if not str(html).strip() or path.is_dir() or not path.parent.is_dir():
        raise ValidationError(f"html: {str(html)!r} is not a file in an existing folder")
    return path


def _as_id(key: str) -> Id:
    """A source key as the source item's id: an int where it is digits."""
    return int(key) if key.isascii() and key.isdigit() else key


def _by_item(annotations: Iterable[ItemAnnotation]) -> dict[str, list[ItemAnnotation]]:
    grouped: dict[str, list[ItemAnnotation]] = {}
    for ann in annotations:
        grouped.setdefault(str(ann.item), []).append(ann)
    return grouped


class _Run:
    """One verification: the pages, the counters, the capped differences and the sample."""

    def __init__(self, src: Provider, dst: Provider, source_project: Id, target_project: Id, users: UserMap, *,
                 batch_size: int, sample: int, cap: int):
        self.src, self.dst, self.users = src, dst, users
        self.source_project, self.target_project = source_project, target_project
        self.batch_size, self.sample_size, self.cap = batch_size, sample, cap
        self.report = VerifyReport(source=src.url, target=dst.url, source_project=str(source_project),
                                   target_project=str(target_project))
        self.schema: LabelSchema | None = dst.projects.get_schema(target_project)
        if self.schema is not None and self.schema.media.value == "video":  # before reading a single item
            raise ValidationError(f"target project {target_project} is a video project; verify compares image "
                                  "projects (a video migration's report counts what it carried and lost)")
        self.conversion = FidelityReport()
        self.kept: dict[bool, list[Difference]] = {True: [], False: []}
        self.sampled: list[tuple] = []  # a heap of (-rank, -digest, Sample): the worst-placed on top
        self.native = True  # the target converts to a form of its own (to_native); else E = S
        self.previews = True  # the target previews its conversion (transfer.preview)

    # -------------------------------------------------------------------------------- the pass

    def execute(self, progress: Progress | None) -> None:
        index = self.dst.transfer.present(self.target_project)  # source key -> target item id, keys and ids only
        counts = self.report.items
        counts.target = self.dst.transfer.count(self.target_project)
        counts.target_without_key = max(0, counts.target - len(index))
        total = self.src.transfer.count(self.source_project)
        with progress(total) if progress is not None else nullcontext(lambda n: None) as advance:
            for page in self.src.transfer.read(self.source_project, batch_size=self.batch_size):
                self.conversion.merge(page.report)
                self._page(page.records, index)
                advance(len(page.records))
        for key, item in index.items():  # what is left was matched by no source item
            counts.only_in_target += 1
            if len(self.report.only_in_target) < KEYS_KEPT:
                self.report.only_in_target.append(key)
            self.report.differences_unexplained += 1
            self._keep(Difference(source_key=key, target_item=str(item), where="item", source=MISSING,
                                  target=f"target item {item}", explained=False))
        self._finish()

    def _page(self, records: list[Record], index: dict[str, Id]) -> None:
        counts = self.report.items
        counts.source += len(records)
        source = _by_item(self.src.annotations.list(project_id=self.source_project,
                                                    item_ids=[_as_id(r.key) for r in records]))
        for record in records:  # S as the migration writes it: authors as target logins
            record.annotations = source.get(record.key, [])
            if any(self.users.target(a) != a for a in record.authors()):
                self.users.apply(record)
        matched = [(r, index.pop(r.key)) for r in records if r.key in index]
        target = _by_item(self.dst.annotations.list(project_id=self.target_project,
                                                    item_ids=[item for _, item in matched])) if matched else {}
        self._convert_report(records)
        pending = []
        carried = {r.key for r, _ in matched}
        for record in records:
            if record.key not in carried:
                self._only_in_source(record)
        for record, item in matched:
            counts.matched += 1
            theirs = target.get(str(item), [])
            mine_view, their_view = view(record.annotations), view(theirs)
            self._count(mine_view, their_view)
            if compare(mine_view, their_view):
                pending.append((record, item, theirs, mine_view, their_view))
            else:
                counts.identical += 1
                self._offer(record, item, theirs, "identical", [])
        expected = self._expected([(item, record.annotations) for record, item, *_ in pending])
        for record, item, theirs, mine_view, their_view in pending:
            made = expected[str(item)]
            if isinstance(made, str):  # the target's converters refuse S: nothing explains a difference
                found, problem = compare(mine_view, their_view), made
            else:
                found, problem = compare(mine_view, their_view, view(made)), None
            self._judge(record, item, theirs, found, problem)

    def _count(self, mine, theirs) -> None:
        self.report.annotations["source"] += mine.annotations
        self.report.annotations["target"] += theirs.annotations
        self.report.objects["source"] += len(mine.objects)
        self.report.objects["target"] += len(theirs.objects)

    def _only_in_source(self, record: Record) -> None:
        self.report.items.only_in_source += 1
        if len(self.report.only_in_source) < KEYS_KEPT:
            self.report.only_in_source.append(record.key)
        self.report.differences_unexplained += 1
        self._keep(Difference(source_key=record.key, name=record.name, where="item",
                              source=f"source item {record.key}", target=MISSING, explained=False))
        self._offer(record, None, None, "unexplained", ["item missing on the target"])

    def _judge(self, record: Record, item: Id, theirs: list, found: list[Found], problem: str | None) -> None:
        counts = self.report.items
        unexplained = [f for f in found if not f.explained]
        self.report.differences_explained += len(found) - len(unexplained)
        self.report.differences_unexplained += len(unexplained)
        status: Status = "unexplained" if unexplained else "explained"
        setattr(counts, status, getattr(counts, status) + 1)
        lines: list[str] | None = None
        ordered = unexplained + [f for f in found if f.explained]
        for f in ordered:
            if not self._room(f.explained):
                continue
            if lines is None:
                lines = self._item_lines(record) + ([f"the target cannot convert it: {problem}"] if problem else [])
            self._keep(Difference(source_key=record.key, target_item=str(item), name=record.name, where=f.where,
                                  source=f.source, target=f.target, expected=f.expected, explained=f.explained,
                                  report=lines))
        self._offer(record, item, theirs, status, [f.where for f in ordered[:10]])

    # -------------------------------------------------------------------------------- the explanation

    def _expected(self, batch: list[tuple[Id, list[ItemAnnotation]]]) -> dict[str, list[ItemAnnotation] | str]:
        """E for each target item: what the target's converters make of S (S itself when it has no form of its own);
        the error text for an item they refuse."""
        if not batch:
            return {}
        if not self.native:
            return {str(item): anns for item, anns in batch}
        try:
            made = self._round_trip([a.model_copy(update={"item": item}) for item, anns in batch for a in anns])
        except Unsupported:
            self.native = False
            self.report.notes.append(f"{self.dst.describe()} has no annotation form of its own (to_native): "
                                     "its annotations are compared with the source's as they are")
            return self._expected(batch)
        except ValidationError:  # one item the target refuses: find it, the others are still explained
            made = None
        out: dict[str, list[ItemAnnotation] | str] = {}
        for item, anns in batch:
            if made is not None:
                out[str(item)] = made.get(str(item), [])
                continue
            try:
                out[str(item)] = self._round_trip([a.model_copy(update={"item": item}) for a in anns]).get(
                    str(item), [])
            except ValidationError as exc:
                out[str(item)] = str(exc)
        return out

    def _round_trip(self, annotations: list[ItemAnnotation]) -> dict[str, list[ItemAnnotation]]:
        if not annotations:
            return {}
        native = self.dst.annotations.to_native(self.target_project, annotations)
        return _by_item(self.dst.annotations.from_native(self.target_project, native))

    def _convert_report(self, records: list[Record]) -> None:
        """Add what converting the page for the target carries, approximates, keeps and drops to the loss table."""
        if self.previews and self.schema is not None:
            try:
                self.conversion.merge(self.dst.transfer.preview(records, schema=self.schema).report)
            except Unsupported:
                self.previews = False
            except ValidationError as exc:  # the migration would have refused these items too: say so once
                note = f"the target refuses to convert some items, so the loss table leaves them out: {exc}"
                if not any(n.startswith(note[:60]) for n in self.report.notes):
                    self.report.notes.append(note)

    def _item_lines(self, record: Record) -> list[str]:
        """The conversion report's lines (approximated, kept, dropped) for one item."""
        if not self.previews or self.schema is None:
            return []
        one = Record(key=record.key, name=record.name, width=record.width, height=record.height,
                     annotations=record.annotations)
        try:
            return self.dst.transfer.preview([one], schema=self.schema).report.losses()
        except (Unsupported, ValidationError):
            return []

    # -------------------------------------------------------------------------------- what is kept

    def _room(self, explained: bool) -> bool:
        return len(self.kept[explained]) < self.cap

    def _keep(self, difference: Difference) -> None:
        if self._room(difference.explained):
            self.kept[difference.explained].append(difference)

    def _offer(self, record: Record, item: Id | None, theirs: list | None, status: Status, where: list[str]) -> None:
        """Consider the item for the picture: unexplained first, then by a digest of its key (deterministic)."""
        if self.sample_size == 0:
            return
        digest = int(hashlib.sha256(record.key.encode()).hexdigest()[:15], 16)
        priority = (-RANK[status], -digest)
        if len(self.sampled) >= self.sample_size and priority <= self.sampled[0][:2]:
            return
        first = record.annotations[0] if record.annotations else (theirs[0] if theirs else None)
        width = first.width if first is not None else (record.width or 0)
        height = first.height if first is not None else (record.height or 0)
        chosen = Sample(source_key=record.key, target_item=None if item is None else str(item), name=record.name,
                        status=status, where=where, width=width, height=height,
                        source_annotations=list(record.annotations), target_annotations=theirs)
        entry = (*priority, chosen)
        if len(self.sampled) < self.sample_size:
            heapq.heappush(self.sampled, entry)
        else:
            heapq.heapreplace(self.sampled, entry)

    def _finish(self) -> None:
        report = self.report
        report.differences = self.kept[False] + self.kept[True]
        report.conversion = self.conversion.to_json() if self.conversion else {}
        report.samples = [entry[-1] for entry in sorted(self.sampled, key=lambda e: (-e[0], -e[1]))]
        if self.users.unmapped:
            report.notes.append(f"source authors with no target user, compared as no author: {self.users.unmapped}")
        if not self.previews:
            report.notes.append(f"{self.dst.describe()} does not preview its conversion: no loss table")

    # -------------------------------------------------------------------------------- the picture

    def read_media(self) -> None:
        """Each sampled item's image: from the source (items.download, else its URL), else from the target."""
        for chosen in self.report.samples:
            chosen.media = _media(self.src, self.source_project, _as_id(chosen.source_key))
            if chosen.media is None and chosen.target_item is not None:
                chosen.media = _media(self.dst, self.target_project, _as_id(chosen.target_item))

    def colors(self) -> dict[str, str]:
        """Class name -> colour, from both projects' schemas (the target's first)."""
        found: dict[str, str] = {}
        for backend, project in ((self.src, self.source_project), (self.dst, self.target_project)):
            try:
                schema = backend.projects.get_schema(project)
            except AnnobridgeError:
                continue
            for cls in schema.classes if schema is not None else ():
                if cls.color:
                    found.setdefault(cls.name, cls.color)
        return found


def _media(backend: Provider, project: Id, item: Id) -> bytes | None:
    """An item's bytes, through items.download, else from its http(s) URL; None when neither gives them
    (a picture without its image is drawn on a blank canvas)."""
    import tempfile

    try:
        with tempfile.TemporaryDirectory(prefix="annobridge-verify-") as folder:
            paths = backend.items.download(project_id=project, directory=folder, item_ids=[item])
            if paths:
                return Path(paths[0]).read_bytes()
    except (AnnobridgeError, OSError):
        pass
    try:
        url = str(backend.items.get(item).url or "")
    except AnnobridgeError:
        return None
    if not url.startswith(("http://", "https://")):
        return None
    import httpx

    try:
        answer = httpx.get(url, timeout=30, follow_redirects=True)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None
