"""annobridge provider for Label Studio; importing it is cheap, the SDK loads on first use."""

from __future__ import annotations

from annobridge.hookspecs import hookimpl

__all__ = ["LabelStudioJobOptions", "LabelStudioProvider", "LabelStudioStorageOptions"]


def __getattr__(name: str):
    # Loaded when asked, so `annobridge --help` stays fast: the provider pulls in the converters (numpy),
    # the options build pydantic models.
    if name == "LabelStudioProvider":
        from .provider import LabelStudioProvider

        return LabelStudioProvider
    if name in ("LabelStudioJobOptions", "LabelStudioStorageOptions"):
        from . import options

        return getattr(options, name)
    raise AttributeError(name)


@hookimpl
def register_providers(register):
    """Register the Label Studio provider (its module loads the SDK only when a backend connects).

    >>> from annobridge.plugins import registry
    >>> registry().providers["labelstudio"].schemes[:2]
    ('labelstudio', 'labelstudio+http')
    """
    from .provider import LabelStudioProvider

    register(LabelStudioProvider)


@hookimpl
def register_commands(up):
    """Add `annobridge up labelstudio` (a local Label Studio server to try annobridge on)."""
    from .up import register

    register(up)
