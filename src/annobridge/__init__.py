"""annobridge: one API for labeling work on Supervisely and Label Studio, and migration between them.

Example (against a live Label Studio; the token comes from LABEL_STUDIO_API_KEY)::

    import annobridge
    backend = annobridge.connect("labelstudio+http://127.0.0.1:8080")
    project = backend.projects.create("lemons", schema)
    jobs = backend.jobs.create(annobridge.JobSpec(name="lemons", project_id=project.id))
"""

from __future__ import annotations

__version__ = "0.1.0"

_WHERE = {  # public name -> the module it lives in; imported when first used, so `annobridge --help` stays fast
    **dict.fromkeys(
        (
            'ItemAnnotation', 'Keypoint', 'Keypoints', 'Mask', 'ObjectAnnotation', 'ObjectOrigin', 'Point',
            'Polygon', 'Polyline', 'Prediction', 'Rectangle', 'Tag',
        ),
        "annotations",
    ),
    **dict.fromkeys(('Capability',), "capabilities"),
    **dict.fromkeys(('connect',), "connection"),
    **dict.fromkeys(
        (
            'AnnobridgeError', 'AuthenticationError', 'BackendError', 'ConfigurationError', 'Conflict',
            'InvalidURL', 'NotFound', 'ProviderNotInstalled', 'RateLimited', 'TimedOut', 'Unavailable',
            'UnknownProvider', 'Unsupported', 'ValidationError',
        ),
        "errors",
    ),
    **dict.fromkeys(('MigrationReport', 'migrate'), "migration"),
    **dict.fromkeys(
        (
            'Activity', 'Assignment', 'Export', 'ExportStatus', 'Item', 'ItemFilter', 'Job', 'JobEntity',
            'JobScope', 'JobSpec', 'JobStats', 'JobStatus', 'JobUpdate', 'Project', 'ProviderOptions',
            'ReviewStatus', 'Role', 'Storage', 'StorageSpec', 'User', 'UserStats',
        ),
        "models",
    ),
    **dict.fromkeys(('Provider',), "provider"),
    **dict.fromkeys(('plan_assignments',), "sampling"),
    **dict.fromkeys(
        ('LabelSchema', 'MediaKind', 'ObjectClass', 'ShapeKind', 'TagSpec', 'TagTarget', 'TagValueType'), "schema"
    ),
    **dict.fromkeys(('PlainHTTPWarning',), "tokens"),
    **dict.fromkeys(('BackendURL',), "urls"),
    **dict.fromkeys(('verify',), "verification"),
    **dict.fromkeys(('FrameRange', 'FrameShape', 'VideoAnnotation', 'VideoObject', 'VideoTag'), "video"),
    **dict.fromkeys(('VerifyReport',), "verify_report"),
}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'annobridge' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


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
    "FrameRange",
    "FrameShape",
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
    "MediaKind",
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
    "TimedOut",
    "Unavailable",
    "UnknownProvider",
    "Unsupported",
    "User",
    "UserStats",
    "ValidationError",
    "VerifyReport",
    "VideoAnnotation",
    "VideoObject",
    "VideoTag",
    "__version__",
    "connect",
    "migrate",
    "plan_assignments",
    "verify",
]
