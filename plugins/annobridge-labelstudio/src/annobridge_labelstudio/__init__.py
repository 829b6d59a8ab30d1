"""annobridge provider for Label Studio; importing it is cheap, the SDK loads on first use."""

from __future__ import annotations

from annobridge.hookspecs import hookimpl

from .provider import LabelStudioProvider

__all__ = ["LabelStudioProvider"]


@hookimpl
def register_providers(register):
    register(LabelStudioProvider)
