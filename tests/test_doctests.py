"""The examples in the docstrings run: every module of the core and of both providers (the sandbox aside) with one."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("annobridge", "annobridge_labelstudio", "annobridge_supervisely")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [m.name for m in pkgutil.walk_packages(path, package + ".") if ".sandbox" not in m.name]
    return names


def _runnable(name: str) -> list[doctest.DocTest]:
    """The module's docstring examples that are not all marked +SKIP."""
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    skip = doctest.OPTIONFLAGS_BY_NAME["SKIP"]
    return [t for t in tests if any(not e.options.get(skip) for e in t.examples)]


WITH_EXAMPLES = [name for name in _modules() if _runnable(name)]


def test_the_modules_with_examples_include_the_converters_and_the_planner():
    for name in (
        "annobridge.shapes",
        "annobridge.sampling",
        "annobridge_labelstudio.regions_write",
        "annobridge_supervisely.figures",
        "annobridge.transfer",
    ):
        assert name in WITH_EXAMPLES


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name, capsys):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _runnable(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out
