"""The sandbox's default API token: a fixed, public, offline-only value (never a real Supervisely token)."""

DEFAULT_TOKEN = ("annobridgeSuperviselySandboxOfflineDemoToken" * 3)[:128]
