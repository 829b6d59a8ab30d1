"""`annobridge verify` after a real migration: the seeded Supervisely sandbox project carried to the real Label Studio
server, verified (exit 0: every difference explained by the conversion), then one target annotation edited on Label
Studio and verified again (exit 1, naming the item and the object)."""

from __future__ import annotations

import json
import os
import re

import annobridge

from .cli_fixtures import Local
from .migrate_fixtures import full_map, ls, name, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555


def _cli(sandbox, labelstudio_server, tmp_path) -> Local:
    """The command line in this process, each side's token in its own variable (never on the command line)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_API_KEY", "API_TOKEN", "ANNOBRIDGE_BACKEND")}
    env |= {"SV_TEST_TOKEN": sandbox.token, "LS_TEST_TOKEN": labelstudio_server.token, "COLUMNS": "200",
            "ANNOBRIDGE_CONFIG_DIR": str(tmp_path / "config")}
    return Local("supervisely+" + sandbox.server_address, sandbox.token, env)


def test_a_migration_verifies_and_an_edit_on_the_target_is_named(sv, ls, sandbox, labelstudio_server, name, tmp_path):
    users = full_map(sv, ls, {"admin": ls.users.me().login})
    migrated = annobridge.migrate(sv, ls, project="Lemons (Test)", target_project=name, user_map=users,
                                  ledger=tmp_path / "l.sqlite")
    target = int(migrated.target_project)
    user_map = tmp_path / "users.json"
    user_map.write_text(json.dumps(users))
    cli = _cli(sandbox, labelstudio_server, tmp_path)
    sides = ["supervisely+" + sandbox.server_address, labelstudio_server.backend_url, "--source-token-env",
             "SV_TEST_TOKEN", "--target-token-env", "LS_TEST_TOKEN", "--user-map", str(user_map)]
    page = tmp_path / "lemons.html"

    done = cli.run("verify", *sides, "--project", "Lemons (Test)", "--target-project", name, "--json",
                   "--html", str(page), backend=False)
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    report = json.loads(done.stdout)
    assert report["items"]["matched"] == report["items"]["source"] == 6
    assert (report["items"]["only_in_source"], report["items"]["only_in_target"]) == (0, 0)
    assert report["objects"] == {"source": 17, "target": 17} and report["differences_unexplained"] == 0
    # Label Studio keeps no per-object times: a difference, and the conversion report says why
    # what Label Studio cannot show (per-object times) is dropped or kept for the way back; either way T differs
    # from S only where the target's own conversion of S does, and the conversion report says why
    entries = {e["kind"]: e["outcome"] for e in report["conversion"]["entries"]}
    assert entries["object timestamps"] in ("kept", "dropped") and entries["mask"] == "carried"
    explained = report["items"]["explained"]
    assert report["items"]["identical"] + explained == 6 and report["differences_explained"] >= explained
    assert all(d["explained"] and d["report"] for d in report["differences"])
    text = page.read_text()
    assert len(re.findall(r'src="data:image/(?:png);base64,', text)) == 12  # 6 items, source and target
    assert sandbox.token not in done.stdout + text and labelstudio_server.token not in done.stdout + text

    task = next(t for t in ls.items.tasks(target, include=None) if t.get("annotations"))
    first, *rest = ls.annotations.get(task["id"])
    ls.annotations.write(target, [first.model_copy(update={"objects": first.objects[:-1]}), *rest], mode="replace")

    done = cli.run("verify", *sides, "--project", str(LEMONS), "--target-project", str(target), backend=False)
    assert done.returncode == 1, done.stderr
    table = done.stdout
    done = cli.run("verify", *sides, "--project", str(LEMONS), "--target-project", str(target), "--json",
                   backend=False)
    report = json.loads(done.stdout)
    assert report["items"]["unexplained"] == 1 and report["objects"]["target"] == 16
    wrong = [d for d in report["differences"] if not d["explained"]]
    edited = (task["data"]["annobridge_source"], str(task["id"]))
    assert {(d["source_key"], d["target_item"]) for d in wrong} == {edited}
    (edit,) = [d for d in wrong if d["target"] == "(none)"]  # the object taken away on Label Studio, by name
    assert re.fullmatch(r"object #\d+ \(class '\w+'\)", edit["where"])
    assert "unexplained" in table and edit["source_key"] in table  # the table names the item too
    assert edit["expected"].startswith("mask at")  # the target's conversion keeps the object: not a loss
