"""The examples' demo data: the tutorial's "Lemons (Test)" schema and six photos, seeded on any backend.

>>> project = ensure_project(backend)          # doctest: +SKIP
>>> project.name
'Lemons (Test)'
"""

from __future__ import annotations

from pathlib import Path

import annobridge
from annobridge import LabelSchema, ObjectClass, TagSpec

PROJECT = "Lemons (Test)"
PHOTOS_DIR = Path(__file__).resolve().parent / "data" / "lemons"

# The tutorial's prepare_project(): classes kiwi and lemon, tags size and origin on objects.
SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="kiwi", shape="mask", color="#D0021B"),
        ObjectClass(name="lemon", shape="mask", color="#50E3C2"),
    ],
    tags=[
        TagSpec(name="origin", value_type="any_string", applies_to="objects_only"),
        TagSpec(name="size", value_type="oneof_string", values=["small", "medium", "large"], applies_to="objects_only"),
    ],
)


def photos() -> list[Path]:
    """The six photos of lemons and kiwis (the ones the Supervisely sandbox seeds), by name.

    >>> [p.name for p in photos()][:2]
    ['IMG_0748.jpeg', 'IMG_1836.jpeg']
    """
    return sorted(PHOTOS_DIR.glob("*.jpeg"))


def find_project(backend: annobridge.Provider, name: str) -> annobridge.Project | None:
    """The project called `name`, or None.

    >>> find_project(backend, "Lemons (Test)") is None       # doctest: +SKIP
    False
    """
    return next((p for p in backend.projects.list() if p.name == name), None)


def ensure_project(
    backend: annobridge.Provider, name: str = PROJECT, schema: LabelSchema = SCHEMA
) -> tuple[annobridge.Project, list[str]]:
    """Find the project, or create it with `schema`; add what `schema` has that it lacks, and the photos if it is empty.

    Returns the project and what was done to it (empty when it was ready, as on the Supervisely sandbox).

    >>> project, done = ensure_project(backend)              # doctest: +SKIP
    >>> done                                                  # doctest: +SKIP
    ['created project', 'added 6 photos']
    """
    done: list[str] = []
    project = find_project(backend, name)
    if project is None:
        project = backend.projects.create(name, schema, description="6 images of lemons and kiwi fruits")
        done.append("created project")
    else:
        have = backend.projects.get_schema(project.id)
        have_classes, have_tags = {c.name for c in have.classes}, {t.name for t in have.tags}
        classes = [c for c in schema.classes if c.name not in have_classes]
        tags = [t for t in schema.tags if t.name not in have_tags]
        if classes or tags:
            backend.projects.set_schema(
                project.id, LabelSchema(classes=[*have.classes, *classes], tags=[*have.tags, *tags])
            )
            done.append(f"added {[c.name for c in classes] + [t.name for t in tags]} to the schema")
    if next(iter(backend.items.list(project_id=project.id)), None) is None:
        added = backend.items.add(project.id, photos())
        done.append(f"added {len(added)} photos")
    return project, done
