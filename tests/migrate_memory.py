"""Memory servers seeded for migration tests: two servers, source projects with annotated items, decoy targets.

    alpha  "Fruit" (4 items), "Veg" (3 items): the sources, one schema (class "lemon")
    beta   "Existing" (empty, same schema), "Other" (2 items carried from elsewhere, same schema),
           "Odd" (empty, another schema)

Items carry annotations by "anna" and "bob" (users of both servers). `snapshot()` is every
project of every memory server with its items, for before/after comparisons.
"""

from __future__ import annotations

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Rectangle
from annobridge.schema import LabelSchema, ObjectClass
from annobridge.testing.migration_model import Held

from . import memory_provider as mp

ALPHA, BETA = "memory://alpha", "memory://beta"
SCHEMA = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle", color="#FFD700")])
ODD_SCHEMA = LabelSchema(classes=[ObjectClass(name="kiwi", shape="point", color="#00FF00")])
SOURCES = {"Fruit": 4, "Veg": 3}


def annotations(n: int) -> list[ItemAnnotation]:
    """Item n's annotations: one by anna with n % 3 + 1 boxes, and for odd n one by bob."""
    boxes = tuple(
        ObjectAnnotation(class_name="lemon", shape=Rectangle(x=k, y=k, width=5, height=5), author="anna")
        for k in range(n % 3 + 1)
    )
    anns = [ItemAnnotation(width=64, height=48, author="anna", objects=boxes)]
    if n % 2:
        anns.append(ItemAnnotation(width=64, height=48, author="bob", objects=boxes[:1]))
    return anns


def seed() -> None:
    """Forget every memory server and seed alpha and beta as the module docstring says."""
    mp.reset()
    alpha, beta = mp.server(ALPHA), mp.server(BETA)
    for name, count in SOURCES.items():
        project = alpha.add_project(name, SCHEMA)
        for n in range(count):
            alpha.add_item(project.id, f"{name.lower()}-{n}.jpg", annotations=annotations(n))
    beta.add_project("Existing", SCHEMA)
    other = beta.add_project("Other", SCHEMA)
    for key in ("elsewhere-1", "elsewhere-2"):
        beta.add_item(other.id, f"{key}.jpg", annotations=annotations(1), key=key)
    beta.add_project("Odd", ODD_SCHEMA)


def snapshot() -> dict[tuple[str, int], Held]:
    """(server, project id) -> Held, for every project of every memory server."""
    out = {}
    for canonical, state in list(mp.servers.items()):
        with state.lock:
            for pid, project in state.projects.items():
                items = frozenset((i.id, i.key, len(i.annotations)) for i in state.items.get(pid, {}).values())
                out[(canonical, pid)] = Held(project.name, items)
    return out
