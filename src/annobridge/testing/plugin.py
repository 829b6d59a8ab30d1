"""pytest plugin (entry point pytest11): registers the marker the conformance suite uses."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "annobridge_capability(cap): the test needs this backend capability; skipped without it"
    )
