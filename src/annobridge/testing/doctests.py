"""Docstring examples as tests: find the modules of a package that have examples, and run one module's."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

__all__ = ["modules_with_examples", "run_examples"]


def modules_with_examples(package: str, *, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The package and its modules (those in `leave_out` aside) whose docstrings hold at least one example."""
    path = importlib.import_module(package).__path__
    names = [package] + [m.name for m in pkgutil.walk_packages(path, package + ".")]
    return [name for name in names if name not in leave_out and _examples(name)]


def run_examples(name: str) -> doctest.TestResults:
    """Run every docstring example of module `name` (ELLIPSIS on); the results, the failures printed."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _examples(name):
        runner.run(test)
    return runner.summarize(verbose=False)


def _examples(name: str) -> list[doctest.DocTest]:
    tests = [t for t in doctest.DocTestFinder().find(importlib.import_module(name)) if t.examples]
    skip = doctest.OPTIONFLAGS_BY_NAME["SKIP"]
    skipped = [t.name for t in tests if any(e.options.get(skip) for e in t.examples)]
    if skipped:  # an example that never runs drifts from the code unseen
        raise AssertionError(f"{skipped[0]}: an example is marked +SKIP; make it run, or write it as prose")
    return tests
