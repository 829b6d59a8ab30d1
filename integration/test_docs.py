"""The docs site's generated pages cover everything: every CLI command and option, every setting, every capability."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def generator(name: str):
    """A docs/gen module, loaded by path as mkdocs loads its hooks."""
    spec = importlib.util.spec_from_file_location(f"docs_gen_{name}", ROOT / "docs" / "gen" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cli_page() -> str:
    return generator("cli_reference").render()


def test_cli_reference_has_every_command_and_option(cli_page):
    import typer

    from annobridge import cli

    cli._add_plugin_commands()
    root = typer.main.get_command(cli.app)
    seen = 0
    for command, ctx in generator("cli_reference").commands(root, root.context_class(root, info_name="annobridge")):
        assert re.search(rf"^#+ {re.escape(ctx.command_path)}$", cli_page, re.M), ctx.command_path
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden:
                assert f"`{param.get_help_record(ctx)[0]}`" in cli_page, (ctx.command_path, param.opts)
        seen += 1
    groups = ("projects", "items", "jobs", "migrate", "verify", "sandbox supervisely", "up labelstudio", "down")
    assert seen > 40 and all(f" annobridge {group}\n" in cli_page for group in groups)


def test_settings_page_names_every_variable_the_code_mentions():
    page = generator("settings_reference").render()
    mentioned = set()
    for folder in [ROOT / "src" / "annobridge", *ROOT.glob("plugins/*/src/*")]:
        for path in folder.rglob("*.py"):
            if "testing" not in path.relative_to(folder).parts:
                mentioned |= set(re.findall(r"\bANNOBRIDGE_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    vendor = {"LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL", "SERVER_ADDRESS", "API_TOKEN", "TEAM_ID", "WORKSPACE_ID"}
    assert {"ANNOBRIDGE_TIMEOUT", "ANNOBRIDGE_RETRIES", "ANNOBRIDGE_LOCK_DIR"} <= mentioned
    missing = sorted(v for v in mentioned | vendor if f"`{v}`" not in page)
    assert not missing, f"not on the settings page: {missing}"


def test_capability_page_has_every_capability_per_edition():
    from annobridge import Capability

    page = generator("concept_map").render()
    matrix, gated = page.split("### Which calls need which capability")
    header = next(line for line in matrix.splitlines() if line.startswith("| capability | labelstudio"))
    assert header.split(" | ")[1:] == [
        "labelstudio without Label Studio Enterprise", "labelstudio with Label Studio Enterprise", "supervisely |"
    ]
    rows = {line.split(" | ")[0]: line for line in matrix.splitlines() if line.startswith("| `")}
    assert set(rows) == {f"| `{cap.value}`" for cap in Capability}
    assert "| no: task assignment needs Label Studio Enterprise | yes | yes: one labeling job per annotator |" in (
        rows["| `assignments`"]
    )
    assert "| `job_archive` | `jobs.archive` |" in gated  # from the methods' @requires marks
