"""Python support for rules: module facts, name resolution, string building,
local data flow, and the import materializer for fixes."""

from ..engine import register_import_materializer, register_rename_materializer
from . import imports as _imports
from . import renames as _renames
from . import summaries as _summaries  # noqa: F401  (registers taint facts)

register_import_materializer("python", _imports.materialize_imports)
register_rename_materializer("python", _renames.materialize_renames)
from . import sensitive as _sensitive  # noqa: F401  (registers the secret rules' module facts)
from . import ownership as _ownership  # noqa: F401  (registers the ownership facts)
