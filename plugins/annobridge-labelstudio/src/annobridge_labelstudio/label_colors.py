"""A <Label>'s background colour as #RRGGBB, however the config wrote it."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["HEX", "label_color"]

HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_RGB = re.compile(r"^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)$")


def label_color(label: Any) -> str | None:
    """A Label's background as #RRGGBB: hex, a CSS name ("green") or rgb()/rgba() (alpha left out); else None.

    >>> from types import SimpleNamespace
    >>> label_color(SimpleNamespace(attr={"background": "rgba(0, 128, 255, 0.5)"})), label_color(None)
    ('#0080FF', None)
    """
    value = (getattr(label, "attr", None) or {}).get("background")
    if not isinstance(value, str):
        return None
    if HEX.match(value):
        return value.upper()
    from PIL import ImageColor  # a dependency of label-studio-sdk

    rgb = _RGB.match(value.strip())
    try:
        red, green, blue = (int(float(c)) for c in rgb.groups()) if rgb else ImageColor.getrgb(value)[:3]
    except ValueError:
        return None
    return f"#{red:02X}{green:02X}{blue:02X}" if max(red, green, blue) <= 255 else None
