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


# ------------------------------------------------------------------ the quick start, run as written

ROOT = README.parent
VENDOR_ENV = ("LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL", "API_TOKEN", "SERVER_ADDRESS")


def quick_start() -> str:
    """The Python block of the README's "Quick start" section, as a reader copies it."""
    section = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the Quick start section lacks its python block"
    return found.group(1)


def _run_twice(tmp_path, url: str, **env: str) -> None:
    """Run the quick start as a script twice in a row (a rerun must work too), from the repository root."""
    import os
    import subprocess
    import sys

    script = tmp_path / "quick_start.py"
    script.write_text(quick_start())
    environment = {k: v for k, v in os.environ.items() if k not in VENDOR_ENV} | env
    for run in (1, 2):
        done = subprocess.run(
            [sys.executable, str(script), url], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"run {run}: {done.stderr[-2000:]}"
        assert done.stdout.strip() == "JobStatus.PENDING", f"run {run}: {done.stdout}"


def test_quick_start_runs_as_written_on_the_supervisely_sandbox_and_leaves_nothing(tmp_path):
    import secrets

    from annobridge_sandbox_supervisely import running_sandbox
    from annobridge_sandbox_supervisely.archive import live_projects

    with running_sandbox(token=secrets.token_hex(16)) as sandbox:
        projects = live_projects(sandbox.store)
        # the token is sent only to the host it belongs with: API_TOKEN goes with SERVER_ADDRESS
        _run_twice(tmp_path, "supervisely+" + sandbox.server_address,
                   API_TOKEN=sandbox.token, SERVER_ADDRESS=sandbox.server_address)
        assert sandbox.calls["projects.add"] == 2 and sandbox.calls["jobs.add"] == 2
        assert sandbox.calls["jobs.archive"] == 2  # Supervisely can archive a job: the branch ran
        assert live_projects(sandbox.store) == projects  # removed projects are archived, as on a real instance
        assert sandbox.store.scalar("SELECT COUNT(*) FROM jobs") == 0


def test_quick_start_runs_as_written_on_label_studio_and_leaves_nothing(labelstudio_server, tmp_path):
    import httpx

    def count() -> int:
        headers = {"Authorization": f"Token {labelstudio_server.token}"}
        return httpx.get(f"{labelstudio_server.url}/api/projects/", params={"page_size": 1}, headers=headers).json()[
            "count"
        ]

    before = count()
    _run_twice(tmp_path, labelstudio_server.backend_url,
               LABEL_STUDIO_API_KEY=labelstudio_server.token, LABEL_STUDIO_URL=labelstudio_server.url)
    assert count() == before  # the project and the job's project are gone again
