"""server_env: the environment `annobridge up labelstudio` runs the server from, found or made with pip for real."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from annobridge.errors import ConfigurationError
from annobridge_labelstudio import server_env
from annobridge_labelstudio.server_env import COMPLETE, LABEL_STUDIO_VERSION, install_env

ROOT = Path(__file__).resolve().parents[3]


def test_the_makefile_pins_the_server_up_installs():
    pinned = re.search(r"^LABEL_STUDIO_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert pinned and pinned.group(1) == LABEL_STUDIO_VERSION


def test_make_setups_environment_is_found_first(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ANNOBRIDGE_LABEL_STUDIO_VENV", raising=False)
    assert server_env.server_env() == ROOT / ".venv-labelstudio"


def test_an_environment_is_made_with_pip_and_marked_complete_last(tmp_path):
    target = tmp_path / "env"
    install_env(target, ["pip"], "pip")  # already in a new venv: nothing to download
    assert (target / COMPLETE).read_text() == "pip\n"
    assert subprocess.run([str(target / "bin" / "python"), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_a_failed_install_says_why_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "env"
    with pytest.raises(ConfigurationError, match=f"installing nothing-here into {target} failed: .*no-such-package"):
        install_env(target, ["--no-index", "no-such-package-annobridge"], "nothing-here")
    assert not target.exists()
