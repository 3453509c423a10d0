"""JavaScript/TypeScript support for rules: module facts (what `require` and
`import` bind), local definitions for the shared taint core, string building,
input sources per rule family, route-handler discovery, and the import
materializer for fixes. TypeScript and TSX use the same support (their
language spec says `family="javascript"`)."""

from ..engine import register_import_materializer
from . import imports as _imports

register_import_materializer("javascript", _imports.materialize_imports)
