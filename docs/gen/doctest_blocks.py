"""Griffe extension: a docstring's doctest lines (`>>>` and the output under them) become a fenced pycon block."""

from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (from a `>>>` line to the next blank line) in a ```pycon fence, indented as
    its first line is; the rest of the text is left as it is."""
    out: list[str] = []
    indent = None  # the open block's indentation, None outside a block
    for line in text.splitlines():
        stripped = line.lstrip()
        if indent is None and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
        elif indent is not None and not stripped:
            out.append(f"{indent}```")
            indent = None
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence doctests, so Markdown does not read their output (`[(1, 'bob')]`) as links or quotes."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        """Rewrite the docstring of every object loaded."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
