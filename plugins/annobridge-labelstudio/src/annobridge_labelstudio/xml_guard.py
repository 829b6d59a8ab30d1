"""Refuse label config XML that declares a DTD, so no entity is ever expanded (billion laughs, external entities)."""

from __future__ import annotations

import re

from annobridge.errors import ValidationError

_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY|ATTLIST|ELEMENT)\b", re.IGNORECASE)


def refuse_dtd(config: str) -> None:
    """Raise ValidationError if `config` declares a DOCTYPE or entities, before any XML parser sees it.

    The SDK's LabelInterface parses with lxml's defaults, which expand internal entities (also in
    attribute values, whatever resolve_entities says) up to libxml2's amplification limit, seconds
    of work for a few hundred bytes; a label config never needs a DTD, so one is refused unparsed.

    >>> refuse_dtd('<View><Image name="img" value="$url"/></View>')
    >>> refuse_dtd('<!DOCTYPE v [<!ENTITY a "x">]><View/>')
    Traceback (most recent call last):
    ...
    annobridge.errors.ValidationError: label config: a DOCTYPE or entity declaration is not allowed (found '<!DOCTYPE')
    """
    if not isinstance(config, str):
        raise ValidationError(f"label config: expected XML text, got {type(config).__name__}")
    found = _DTD.search(config)
    if found:
        raise ValidationError(
            f"label config: a DOCTYPE or entity declaration is not allowed (found {found.group(0)!r})"
        )
