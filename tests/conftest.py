"""Core test fixtures: a plugin registry that includes the in-memory test provider."""

from __future__ import annotations

import pytest

from annobridge import plugins


@pytest.fixture
def memory_plugin(monkeypatch):
    """Load the installed plugins plus the in-memory provider, as if it were installed."""
    from . import memory_provider

    pm = plugins.make_plugin_manager([memory_provider])
    registry = plugins.build_registry(pm)
    monkeypatch.setattr(plugins, "plugin_manager", lambda: pm)
    monkeypatch.setattr(plugins, "registry", lambda: registry)
    return memory_provider
