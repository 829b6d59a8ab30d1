"""The base of every Label Studio sub-API: `SubAPI[LabelStudioProvider]` with the SDK handle and `call`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annobridge.provider import SubAPI

if TYPE_CHECKING:
    from .client import Connection
    from .provider import LabelStudioProvider
else:
    # A forward reference at run time (provider.py imports every sub-API module); the sub-API modules
    # parametrise their bases with it, e.g. `JobsAPI[LabelStudioProvider]`, so `self.backend` is typed.
    LabelStudioProvider = "LabelStudioProvider"

__all__ = ["LabelStudioProvider", "LabelStudioSubAPI"]


class LabelStudioSubAPI(SubAPI[LabelStudioProvider]):
    """A sub-API of the Label Studio provider: `self.backend` (typed), `self.conn` (the Connection),
    `self.sdk` (the SDK client), `self.call(what)` (errors translated, naming `what`)."""

    @property
    def conn(self) -> Connection:
        return self.backend.connection

    @property
    def sdk(self) -> Any:
        return self.backend.connection.sdk

    def call(self, what: str) -> Any:
        return self.backend.connection.call(what)
