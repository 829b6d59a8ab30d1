"""Test support for providers: the conformance suite and its pytest plugin."""
