"""connect(): from a backend URL to a connected provider."""

from __future__ import annotations

from typing import Any

from . import plugins
from .provider import Provider
from .urls import BackendURL


def connect(url: str, token: str | None = None, **options: Any) -> Provider:
    """Connect to the backend at `url`.

    The token comes from `token`, else from the vendor's own environment
    (LABEL_STUDIO_API_KEY; Supervisely's API_TOKEN, also read from ~/supervisely.env),
    never from the URL.

    >>> ls = connect("labelstudio+http://127.0.0.1:8080", token="...")   # doctest: +SKIP
    >>> [j.name for j in ls.jobs.list()]                                  # doctest: +SKIP
    ['lemons']
    """
    address = BackendURL.parse(url)
    provider_cls = plugins.registry().for_scheme(address.scheme)
    return provider_cls.open(address, token, **options)
