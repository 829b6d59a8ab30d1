"""Repository-wide pytest set-up: what every test module needs whichever worker runs it."""

from __future__ import annotations

import sys
import types

# supervisely's __init__ imports every module on the call stack by name; in a pytest-xdist worker that stack
# includes execnet's `__channelexec__`, which is no module, so `import supervisely` would fail there.
sys.modules.setdefault("__channelexec__", types.ModuleType("__channelexec__"))
