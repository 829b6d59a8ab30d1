"""Test support for Supervisely: the sandbox fixtures (pytest plugin) and generated test videos."""
