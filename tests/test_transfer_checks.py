"""The media checks every transfer writer runs before a request: links need URLs, copies need bytes."""

from __future__ import annotations

import pytest

from annobridge.errors import ValidationError
from annobridge.transfer import Record, link_urls, require_media


def test_link_urls_are_the_records_urls_in_order():
    records = [Record(key="1", name="a.jpg", url="https://x/a.jpg"), Record(key="2", name="b.jpg", url="/data/b.jpg")]
    assert link_urls(records) == ["https://x/a.jpg", "/data/b.jpg"]


def test_a_record_without_a_url_cannot_be_linked_and_is_named():
    records = [Record(key="1", name="a.jpg", url="https://x/a.jpg"), Record(key="7", name="b.jpg")]
    with pytest.raises(ValidationError, match=r"media: items \['7'\] have no URL to link to; use media='copy'"):
        link_urls(records)


def test_records_without_bytes_are_named_at_most_five():
    records = [Record(key=str(n), name=f"{n}.jpg", media=b"x" if n == 0 else None) for n in range(8)]
    with pytest.raises(ValidationError, match=r"items \['1', '2', '3', '4', '5'\] have no bytes; fetch_media first"):
        require_media(records)
    require_media(records[:1])  # every record has its bytes: nothing raised
