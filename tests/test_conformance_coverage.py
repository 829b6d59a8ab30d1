"""Every provider's conformance module runs every suite in ALL_SUITES: one left out fails here, by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from annobridge.testing.conformance import ALL_SUITES, missing_suites

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = sorted(p for p in (ROOT / "plugins").glob("annobridge-*") if list(p.glob("src/*/provider.py")))
MODULES = [ROOT / "tests" / "test_conformance_memory.py"] + [p / "tests" / "test_conformance.py" for p in PROVIDERS]


def subclassed_suites(source: str) -> set[str]:
    """The suite names the Test* classes of a module's source derive from, through its own intermediate classes.

    >>> sorted(subclassed_suites("class B(c.ItemTests): ...\\nclass TestX(B, UserTests): ..."))
    ['ItemTests', 'UserTests']
    """
    bases: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            bases[node.name] = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}

    def reach(name: str, seen: frozenset = frozenset()) -> set[str]:
        found = set()
        for base in bases.get(name, ()):
            found.add(base)
            if base in bases and base not in seen:
                found |= reach(base, seen | {name})
        return found

    suites = {s.__name__ for s in ALL_SUITES}
    return set().union(*(reach(n) for n in bases if n.startswith("Test"))) & suites


def test_every_provider_plugin_has_a_conformance_module():
    assert PROVIDERS, "no provider plugins found under plugins/"
    assert [m for m in MODULES if not m.is_file()] == []


@pytest.mark.parametrize("module", MODULES, ids=lambda m: str(m.relative_to(ROOT)))
def test_the_module_subclasses_every_suite(module):
    left_out = sorted({s.__name__ for s in ALL_SUITES} - subclassed_suites(module.read_text()))
    assert left_out == [], f"{module.relative_to(ROOT)} does not run {left_out}"


def test_missing_suites_names_what_a_namespace_leaves_out():
    class TestOne(ALL_SUITES[0]):
        pass

    assert missing_suites({"TestOne": TestOne}) == [s.__name__ for s in ALL_SUITES[1:]]
    assert missing_suites({"Helper": TestOne}) == [s.__name__ for s in ALL_SUITES]
