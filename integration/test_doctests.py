"""The core's docstring examples that show the installed providers or need PyAV (see tests/test_doctests.py)."""

from __future__ import annotations

import pytest

from annobridge.testing.doctests import run_examples

INSTALLED = ("annobridge.plugins", "annobridge.testing.videos")


@pytest.mark.parametrize("name", INSTALLED)
def test_docstring_examples_run(name, capsys):
    result = run_examples(name)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out
