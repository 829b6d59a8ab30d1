"""Images added by link (upload_link(s), set_remote): the link kept as a real server keeps it, fetched offline-safe.

The sandbox never reaches the internet: it fetches a link only from 127.0.0.1 (a test's own
http.server) or from its own storage (read straight from the store, not over HTTP, since the
server answers one request at a time); any other host is refused with one clear 400.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlparse

from .errors import bad_request, field, not_found
from .imaging import STORAGE_PREFIX
from .store import Store, now

FETCH_TIMEOUT_SEC = 10
MAX_LINK_BYTES = 200 * 1024 * 1024
ALLOWED_HOSTS = frozenset({"127.0.0.1"})

TABLES = """
CREATE TABLE IF NOT EXISTS image_links (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE, link TEXT NOT NULL);
"""


def set_link(store: Store, image_id: int, link: str) -> None:
    """Remember that image `image_id` came from `link`."""
    store.execute("INSERT OR REPLACE INTO image_links (image_id, link) VALUES (?, ?)", (image_id, link))


def link_of(store: Store, image_id: int) -> str | None:
    """ImageInfo.link: the link the image was added from, None for uploaded bytes."""
    return store.scalar("SELECT link FROM image_links WHERE image_id = ?", (image_id,))


def fetch_link(store: Store, link: str, base_url: str) -> bytes:
    """The bytes behind `link`: own storage read from the store, 127.0.0.1 over HTTP, anything else refused (400)."""
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise bad_request(f"link {link!r} is not an http(s) URL", field="link")
    own = urlparse(base_url)
    if parsed.netloc == own.netloc and parsed.path.startswith(STORAGE_PREFIX):
        return _own_storage(store, parsed.path[len(STORAGE_PREFIX) :], link)
    if parsed.hostname not in ALLOWED_HOSTS:
        raise bad_request(
            f"the sandbox is offline and cannot fetch links from {parsed.hostname}: "
            "it fetches only from 127.0.0.1 or its own storage",
            field="link",
        )
    try:
        with urllib.request.urlopen(link, timeout=FETCH_TIMEOUT_SEC) as answer:
            data = answer.read(MAX_LINK_BYTES + 1)
    except (urllib.error.URLError, OSError) as error:
        raise bad_request(f"cannot fetch link {link!r}: {error}", field="link") from None
    if len(data) > MAX_LINK_BYTES:
        raise bad_request(f"link {link!r} is larger than {MAX_LINK_BYTES} bytes", field="link")
    return data


def _own_storage(store: Store, tail: str, link: str) -> bytes:
    image_id = int(tail) if tail.isdigit() else None
    row = None if image_id is None else store.one(
        "SELECT b.data FROM images i JOIN blobs b ON b.hash = i.hash WHERE i.id = ?", (image_id,)
    )
    if row is None:
        raise bad_request(f"link {link!r} names no image in the sandbox's storage", field="link")
    return row["data"]


def update_links(ctx, body, store_blob) -> dict:
    """images.update.links {images: [{id, link}], clearLocalDataSource} (ImageApi.set_remote).

    Each image's source becomes its link: the bytes are fetched (offline-safe) and kept by content
    hash, so the image's hash, size and pixels are the link's; its id, name, labels and tags stay.
    """
    items = field(body, "images", list)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int) or not isinstance(item.get("link"), str):
            raise bad_request("every entry of 'images' needs an integer 'id' and a string 'link'", field="images")
        if ctx.store.one("SELECT id FROM images WHERE id = ?", (item["id"],)) is None:
            raise not_found("Image", item["id"])
    hashes = []
    for item in items:  # fetch everything first, so one bad link changes nothing
        try:
            hashes.append(store_blob(ctx.store, fetch_link(ctx.store, item["link"], ctx.base_url)))
        except ValueError as error:
            raise bad_request(f"link {item['link']!r}: {error}", field="link") from None
    stamp = now()
    for item, digest in zip(items, hashes):
        ctx.store.execute("UPDATE images SET hash = ?, updated_at = ? WHERE id = ?", (digest, stamp, item["id"]))
        set_link(ctx.store, item["id"], item["link"])
    return {"success": True}
