"""The examples in the docstrings of the Label Studio provider run: every module of annobridge_labelstudio with one."""

from __future__ import annotations

import pytest

from annobridge.testing.doctests import modules_with_examples, run_examples

WITH_EXAMPLES = modules_with_examples("annobridge_labelstudio")


def test_the_modules_with_examples_include_the_converters():
    assert {"annobridge_labelstudio.regions_write", "annobridge_labelstudio.rle"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name, capsys):
    result = run_examples(name)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out
