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
    Assignment,
    Export,
    ExportStatus,
    Item,
    Job,
    JobEntity,
    JobSpec,
    JobStatus,
    JobUpdate,
    Project,
    ReviewStatus,
    Role,
    Storage,
    StorageSpec,
    User,
)
from .migrate import MigrationReport, migrate
from .provider import Provider
from .sampling import plan_assignments
from .schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from .tokens import PlainHTTPWarning
from .urls import BackendURL

__all__ = [
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
    "Job",
    "JobEntity",
    "JobSpec",
    "JobStatus",
    "JobUpdate",
    "LabelSchema",
    "MigrationReport",
    "NotFound",
    "ObjectClass",
    "PlainHTTPWarning",
    "Project",
    "Provider",
    "ProviderNotInstalled",
    "RateLimited",
    "ReviewStatus",
    "Role",
    "ShapeKind",
    "Storage",
    "StorageSpec",
    "TagSpec",
    "TagTarget",
    "TagValueType",
    "Unavailable",
    "UnknownProvider",
    "Unsupported",
    "User",
    "ValidationError",
    "__version__",
    "connect",
    "migrate",
    "plan_assignments",
]
