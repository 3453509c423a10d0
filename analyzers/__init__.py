"""draftguard analyzers: pure security analysis over tree-sitter trees.

Nothing in this package imports pygls or lsprotocol; the language server and
the CLI are thin consumers of `analyze()` and the data in `model`.
"""

from .config import AnalysisConfig
from .dependencies import DependencyManifest, NodeDependencies, ProjectDependencies, PythonDependencies
from .engine import AnalysisResult, UnitCache, analyze, analyze_detailed
from .languages import get_spec, make_parser, parse, spec_for_lsp_id, spec_for_path
from .model import Confidence, DependencyChange, Edit, Finding, Fix, Severity, apply_edits
from .rules import all_rules, get_rule

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "Confidence",
    "DependencyChange",
    "DependencyManifest",
    "Edit",
    "Finding",
    "Fix",
    "NodeDependencies",
    "ProjectDependencies",
    "PythonDependencies",
    "Severity",
    "UnitCache",
    "all_rules",
    "analyze",
    "analyze_detailed",
    "apply_edits",
    "get_rule",
    "get_spec",
    "make_parser",
    "parse",
    "spec_for_lsp_id",
    "spec_for_path",
]
