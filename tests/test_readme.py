"""The README's capability matrix is the one the providers declare."""

from __future__ import annotations

import re
from pathlib import Path

from annobridge.capabilities import render_matrix_markdown
from annobridge.plugins import build_registry, make_plugin_manager

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_capability_matrix_is_current():
    providers = build_registry(make_plugin_manager()).providers
    expected = render_matrix_markdown(sorted(providers.values(), key=lambda p: p.name))
    found = re.search(r"<!-- capabilities:start -->\n(.*?)\n<!-- capabilities:end -->", README.read_text(), re.S)
    assert found, "README lacks the capabilities markers"
    assert found.group(1) == expected, "README matrix is stale: run `annobridge providers --markdown` and paste it"
