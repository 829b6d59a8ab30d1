"""pytest plugin (entry point pytest11): the session fixture `labelstudio_server`, one real server per run.

Any test suite with annobridge-labelstudio installed can ask for it:

    def test_projects(labelstudio_server):
        backend = annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token)
"""

from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(scope="session")
def labelstudio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real Label Studio server from .venv-labelstudio on 127.0.0.1 (started once, stopped at the end)."""
    from annobridge_labelstudio.server import LocalLabelStudio, find_venv

    try:
        venv = find_venv()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    server = LocalLabelStudio(venv=venv, data_dir=tmp_path_factory.mktemp("labelstudio"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(f"the Label Studio server did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
