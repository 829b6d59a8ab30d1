"""The sandbox README's inventory of SDK methods is true: current, each answered method called, the rest refused.

The inventory is traced from the installed SDK's source (sandbox/inventory.py). Each method marked
answered has a call in inventory_calls_*.py that asserts what the answer means; the API methods it
sent must be among those the inventory lists for it. Each refused or missing API method answers 404
naming itself (and, when refused, why).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import requests

from annobridge_sandbox_supervisely import inventory

from .inventory_support import CALLS, World

for _module in sorted(Path(__file__).parent.glob("inventory_calls_*.py")):
    importlib.import_module(f".{_module.stem}", __package__)  # each registers its calls in CALLS

ENTRIES = inventory.entries()


@pytest.fixture(scope="module")
def world(make_api):
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield World(make_api(handle), handle)


def test_the_readme_holds_the_inventory_of_the_installed_sdk():
    assert inventory.readme_section() == inventory.markdown(), (
        "the README's inventory is stale: python -m annobridge_sandbox_supervisely.inventory --write renews it"
    )


def test_every_call_belongs_to_an_answered_method():
    answered = {e.name for e in ENTRIES if e.status == inventory.ANSWERED}
    assert not set(CALLS) - answered, "calls for methods the inventory does not mark answered"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.status == inventory.ANSWERED], ids=lambda e: e.name)
def test_each_answered_method_answers(entry, world):
    run = CALLS.get(entry.name)
    assert run is not None, f"no call written for {entry.name} (inventory_calls_*.py)"
    world.sent_by_call = None
    run(world)
    sent = world.sent_by_call
    assert sent, f"the call for {entry.name} made its SDK call outside `with world.sent():`"
    assert set(sent) <= set(entry.endpoints), f"{entry.name} sent {sorted(set(sent) - set(entry.endpoints))}"


def _unserved() -> list[str]:
    from annobridge_sandbox_supervisely.app import routes

    served = routes()
    return sorted({
        endpoint for entry in ENTRIES if entry.status in (inventory.REFUSED, inventory.MISSING)
        for endpoint in entry.endpoints if endpoint not in served
    })


@pytest.mark.parametrize("endpoint", _unserved())
def test_each_unserved_api_method_answers_404_naming_itself(endpoint, world):
    from annobridge_sandbox_supervisely.app import refused

    answer = requests.post(f"{world.handle.server_address}/public/api/v3/{endpoint}", json={},
                           headers={"x-api-key": world.handle.token}, timeout=10)
    assert answer.status_code == 404
    assert repr(endpoint) in answer.json()["error"]
    why = refused().get(endpoint)
    if why:
        assert why in answer.json()["error"]
