"""instance.version: the SDK asks for it once, the first time any request fails."""

from __future__ import annotations

INSTANCE_VERSION = "6.14.4"
"""The Supervisely version the sandbox claims; new enough for SDK 6.74.51's version check."""


def version(ctx, body) -> dict:
    """instance.version -> {"version": "6.14.4"}."""
    return {"version": INSTANCE_VERSION}


ROUTES = {"instance.version": version}
