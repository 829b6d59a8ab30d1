"""integration/: the tests that need both providers and the servers (the Supervisely sandbox, the real Label Studio).

The servers come from the installed pytest plugins (`labelstudio_server` from annobridge-labelstudio, the sandbox
from annobridge-sandbox-supervisely); the backends as the command line and the migrations reach them from
cli_fixtures.py and migrate_fixtures.py. tests/ is the tier that needs the core alone.
"""

from __future__ import annotations

import importlib.util

import pytest

NEEDED = ("annobridge_labelstudio", "annobridge_supervisely", "annobridge_sandbox_supervisely")



def pytest_configure(config):
    """Without the providers installed: one line, instead of an import error in every module."""
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise pytest.UsageError(f"integration/ needs {', '.join(missing)} installed (make setup)")
