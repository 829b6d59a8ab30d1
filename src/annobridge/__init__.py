"""annobridge: one API for labeling work on Supervisely and Label Studio, and migration between them.

>>> import annobridge
>>> backend = annobridge.connect("labelstudio+http://127.0.0.1:8080")   # doctest: +SKIP
>>> jobs = backend.jobs.create(annobridge.JobSpec(name="lemons", label_schema=schema))  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from .capabilities import Capability
from .connection import connect
from .errors import (
    AnnobridgeError,
    AuthenticationError,
    BackendError,
    ConfigurationError,
    Conflict,
    InvalidURL,
    NotFound,
    ProviderNotInstalled,
    RateLimited,
    Unavailable,
    UnknownProvider,
    Unsupported,
    ValidationError,
)
from .models import (
    Activity,
    Assignment,
    Export,
    ExportStatus,
    Item,
    ItemFilter,
    Job,
    JobEntity,
    JobScope,
    JobSpec,
    JobStats,
    JobStatus,
    JobUpdate,
    Project,
    ProviderOptions,
    ReviewStatus,
    Role,
    Storage,
    StorageSpec,
    User,
    UserStats,
)
from .migrate import MigrationReport, migrate
from .provider import Provider
from .sampling import plan_assignments
from .schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from .tokens import PlainHTTPWarning
from .urls import BackendURL

_ANNOTATIONS = (
    "ItemAnnotation", "Keypoint", "Keypoints", "Mask", "ObjectAnnotation", "ObjectOrigin", "Point", "Polygon",
    "Polyline", "Prediction", "Rectangle", "Tag",
)


def __getattr__(name: str):
    # The annotation model needs numpy; imported when first named, so `annobridge --help` stays fast.
    if name in _ANNOTATIONS:
        from importlib import import_module

        return getattr(import_module(".annotations", __name__), name)  # "annotations" here is the __future__ flag
    raise AttributeError(f"module 'annobridge' has no attribute {name!r}")

__all__ = [
    "Activity",
    "AnnobridgeError",
    "Assignment",
    "AuthenticationError",
    "BackendError",
    "BackendURL",
    "Capability",
    "ConfigurationError",
    "Conflict",
    "Export",
    "ExportStatus",
    "InvalidURL",
    "Item",
    "ItemAnnotation",
    "ItemFilter",
    "Job",
    "JobEntity",
    "JobScope",
    "JobSpec",
    "JobStats",
    "JobStatus",
    "JobUpdate",
    "Keypoint",
    "Keypoints",
    "LabelSchema",
    "Mask",
    "MigrationReport",
    "NotFound",
    "ObjectAnnotation",
    "ObjectClass",
    "ObjectOrigin",
    "PlainHTTPWarning",
    "Point",
    "Polygon",
    "Polyline",
    "Prediction",
    "Project",
    "Provider",
    "ProviderNotInstalled",
    "ProviderOptions",
    "RateLimited",
    "Rectangle",
    "ReviewStatus",
    "Role",
    "ShapeKind",
    "Storage",
    "StorageSpec",
    "Tag",
    "TagSpec",
    "TagTarget",
    "TagValueType",
    "Unavailable",
    "UnknownProvider",
    "Unsupported",
    "User",
    "UserStats",
    "ValidationError",
    "__version__",
    "connect",
    "migrate",
    "plan_assignments",
]
