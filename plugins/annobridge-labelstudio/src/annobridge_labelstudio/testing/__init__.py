"""Test support for Label Studio: the session server fixture (pytest plugin) and the Enterprise stand-in."""
