"""The examples in the docstrings run: every module of the core with one (each provider's: its own tests dir).

The examples that show the installed providers or need the integration extra run in integration/test_doctests.py.
"""

from __future__ import annotations

import pytest

from annobridge.testing.doctests import modules_with_examples, run_examples

INSTALLED = ("annobridge.plugins", "annobridge.testing.videos")
"""Modules whose examples need both providers (the registry they show) or PyAV (a test video)."""

WITH_EXAMPLES = modules_with_examples("annobridge", leave_out=INSTALLED)


def test_the_modules_with_examples_include_the_shapes_the_planner_and_the_transfer():
    assert {"annobridge.shapes", "annobridge.sampling", "annobridge.transfer"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name, capsys):
    result = run_examples(name)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out
