"""Demo data: roles, the admin user, and the tutorial's team, workspace and "Lemons (Test)" project with 6 drawn photos.

Ids follow the Labeling Jobs tutorial (team 8, workspace 349, project 5555, dataset 10555,
images from 3882697, admin 7, new users from 101) so its printed outputs read the same here.
"""

from __future__ import annotations

import numpy as np

from .annotation_store import write_annotation
from .drawing import draw, place
from .imaging import encode_bitmap
from .images import get_image, store_blob
from .project_meta import replace_meta
from .store import Store, now

OWNER_LOGIN = "admin"
ROLES = ((1, "admin"), (2, "developer"), (3, "annotator"), (4, "viewer"), (5, "manager"), (6, "reviewer"))
TEAM_ID, WORKSPACE_ID, PROJECT_ID, DATASET_ID, FIRST_IMAGE_ID = 8, 349, 5555, 10555, 3882697
ADMIN_ID, FIRST_USER_ID = 7, 101

META = {
    "classes": [
        {"title": "kiwi", "shape": "bitmap", "color": "#D0021B", "geometry_config": {}, "hotkey": ""},
        {"title": "lemon", "shape": "bitmap", "color": "#50E3C2", "geometry_config": {}, "hotkey": ""},
    ],
    "tags": [
        {"name": "origin", "value_type": "any_string", "color": "#A0A08C",
         "applicable_type": "objectsOnly", "classes": ["kiwi", "lemon"]},
        {"name": "size", "value_type": "oneof_string", "values": ["small", "medium", "large"],
         "color": "#ED68A1", "applicable_type": "objectsOnly", "classes": ["kiwi", "lemon"]},
    ],
}
# (name, width, height, fruits) in upload order, so ids line up with the tutorial's entities
PHOTOS = (
    ("IMG_4451.jpeg", 640, 480, ["lemon", "lemon", "kiwi"]),
    ("IMG_3861.jpeg", 640, 480, ["lemon", "kiwi", "kiwi"]),
    ("IMG_0748.jpeg", 600, 450, ["kiwi", "kiwi", "kiwi"]),
    ("IMG_2084.jpeg", 640, 427, ["lemon", "lemon"]),
    ("IMG_1836.jpeg", 640, 480, ["lemon", "kiwi"]),
    ("IMG_8144.jpeg", 600, 450, ["lemon", "lemon", "lemon", "kiwi"]),
)
ORIGINS = {"lemon": "Spain", "kiwi": "New Zealand"}


def bootstrap(store: Store) -> None:
    """Roles and the admin user, who owns the sandbox token."""
    stamp = now()
    for role_id, role in ROLES:
        store.execute("INSERT INTO roles (id, role, created_at, updated_at) VALUES (?, ?, ?, ?)",
                      (role_id, role, stamp, stamp))
    store.execute(
        "INSERT INTO users (id, login, password, name, email, role, role_id, logins, last_login, created_at, "
        "updated_at) VALUES (?, ?, '(not stored)', 'Sandbox Admin', NULL, 'admin', 1, 1, ?, ?, ?)",
        (ADMIN_ID, OWNER_LOGIN, stamp, stamp, stamp),
    )
    store.set_next_id("users", FIRST_USER_ID)


def seed_demo(store: Store) -> None:
    """The demo team (admin as admin), "Testing Workspace", and "Lemons (Test)" / ds1 with labeled photos."""
    stamp = now()
    store.execute("INSERT INTO teams (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                  (TEAM_ID, "Demo Team", "Supervisely sandbox demo team", stamp, stamp))
    store.execute("INSERT INTO members (team_id, user_id, role_id) VALUES (?, ?, 1)", (TEAM_ID, ADMIN_ID))
    store.execute(
        "INSERT INTO workspaces (id, team_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        (WORKSPACE_ID, TEAM_ID, "Testing Workspace", "", stamp, stamp),
    )
    store.execute(
        "INSERT INTO projects (id, workspace_id, name, description, readme, type, custom_data, settings, created_by, "
        "created_at, updated_at) VALUES (?, ?, 'Lemons (Test)', ?, '', 'images', '{}', '{}', ?, ?, ?)",
        (PROJECT_ID, WORKSPACE_ID, "6 images of lemons and kiwi fruits", ADMIN_ID, stamp, stamp),
    )
    store.execute(
        "INSERT INTO datasets (id, project_id, name, description, custom_data, created_by, created_at, updated_at) "
        "VALUES (?, ?, 'ds1', '', '{}', ?, ?, ?)",
        (DATASET_ID, PROJECT_ID, ADMIN_ID, stamp, stamp),
    )
    replace_meta(store, PROJECT_ID, META)
    store.set_next_id("images", FIRST_IMAGE_ID)
    rng = np.random.default_rng(5555)
    for name, width, height, kinds in PHOTOS:
        fruits = place(rng, width, height, kinds)
        jpeg, masks = draw(width, height, fruits, rng)
        image_id = store.execute(
            "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, '{}', '', ?, ?, ?)",
            (DATASET_ID, name, store_blob(store, jpeg), ADMIN_ID, stamp, stamp),
        )
        objects = [_label(fruit, mask) for fruit, mask in zip(fruits, masks)]
        annotation = {"description": "", "size": {"height": height, "width": width}, "tags": [], "objects": objects}
        write_annotation(store, get_image(store, image_id), annotation, OWNER_LOGIN)


def _label(fruit, mask: np.ndarray) -> dict:
    area = np.pi * fruit.rx * fruit.ry
    size = "small" if area < 11000 else "medium" if area < 20000 else "large"
    return {
        "classTitle": fruit.kind,
        "description": "",
        "geometryType": "bitmap",
        "bitmap": encode_bitmap(mask),
        "tags": [{"name": "size", "value": size}, {"name": "origin", "value": ORIGINS[fruit.kind]}],
    }
