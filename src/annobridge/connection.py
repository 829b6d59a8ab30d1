"""connect(): from a backend URL to a connected provider."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from . import plugins
from .errors import ValidationError
from .provider import Provider
from .urls import BackendURL


def connect(url: str, token: str | None = None, **options: Any) -> Provider:
    """Connect to the backend at `url`.

    The token comes from `token`, else from the vendor's own environment
    (LABEL_STUDIO_API_KEY; Supervisely's API_TOKEN, also read from ~/supervisely.env),
    never from the URL.

    Example (against a live backend)::

        ls = connect("labelstudio+http://127.0.0.1:8080", token="...")
        [j.name for j in ls.jobs.list()]  # -> ['lemons']
    """
    address = BackendURL.parse(url)
    provider_cls = plugins.registry().for_scheme(address.scheme)
    return provider_cls.open(address, token, **options)


def provider_of(value: str | Provider, stack: ExitStack) -> Provider:
    """`value` itself when it is a connected provider; else a connection to the URL it is, closed with `stack`."""
    if isinstance(value, Provider):
        return value
    if not isinstance(value, str):
        raise ValidationError(f"source/target: expected a backend URL or a connected provider, got {value!r}")
    return stack.enter_context(connect(value))
