"""The bundled providers, installed: discovered through their entry points, declared without importing their SDKs."""

from __future__ import annotations

from annobridge import plugins


def test_both_bundled_providers_are_discovered_through_entry_points():
    registry = plugins.build_registry(plugins.make_plugin_manager())
    assert {"labelstudio", "supervisely"} <= set(registry.providers)
    assert registry.for_scheme("labelstudio+http").name == "labelstudio"
    assert registry.for_scheme("supervisely").name == "supervisely"


def test_providers_declare_capabilities_without_importing_their_sdks():
    import subprocess
    import sys

    code = (
        "import sys, annobridge.plugins as p; r = p.registry();"
        "print(sorted(r.providers)); print('supervisely' in sys.modules, 'label_studio_sdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "False False" in out
