"""Language registry: grammar, file extensions and comment syntax per language.

Adding a language is a matter of registering its official tree-sitter grammar
wheel here; documents, suppression comments, AI-region markers and the rule
engine all look languages up through this module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache

import tree_sitter


@dataclass(frozen=True)
class LanguageSpec:
    """Static facts about one language the analyzers support."""

    id: str
    grammar_module: str
    grammar_function: str
    extensions: tuple[str, ...]
    line_comments: tuple[str, ...]
    block_comments: tuple[tuple[str, str], ...] = ()
    lsp_ids: tuple[str, ...] = field(default=())
    family: str = ""

    @property
    def rule_family(self) -> str:
        """Rules are written per family: TypeScript reuses JavaScript rules."""
        return self.family or self.id


_LANGUAGES: dict[str, LanguageSpec] = {}


def register(spec: LanguageSpec) -> None:
    _LANGUAGES[spec.id] = spec


register(LanguageSpec("python", "tree_sitter_python", "language", (".py", ".pyi", ".pyw"), ("#",), lsp_ids=("python",)))
register(
    LanguageSpec(
        "javascript",
        "tree_sitter_javascript",
        "language",
        (".js", ".mjs", ".cjs", ".jsx"),
        ("//",),
        (("/*", "*/"),),
        lsp_ids=("javascript", "javascriptreact"),
    )
)
register(
    LanguageSpec(
        "typescript",
        "tree_sitter_typescript",
        "language_typescript",
        (".ts", ".mts", ".cts"),
        ("//",),
        (("/*", "*/"),),
        lsp_ids=("typescript",),
        family="javascript",
    )
)
register(
    LanguageSpec(
        "tsx",
        "tree_sitter_typescript",
        "language_tsx",
        (".tsx",),
        ("//",),
        (("/*", "*/"),),
        lsp_ids=("typescriptreact",),
        family="javascript",
    )
)


class UnsupportedLanguage(LookupError):
    pass


def all_languages() -> list[LanguageSpec]:
    return list(_LANGUAGES.values())


def get_spec(language_id: str) -> LanguageSpec:
    try:
        return _LANGUAGES[language_id]
    except KeyError:
        raise UnsupportedLanguage(f"unsupported language {language_id!r}") from None


def spec_for_lsp_id(lsp_language_id: str) -> LanguageSpec | None:
    for spec in _LANGUAGES.values():
        if lsp_language_id in spec.lsp_ids or lsp_language_id == spec.id:
            return spec
    return None


def spec_for_path(path: str) -> LanguageSpec | None:
    lowered = path.lower()
    for spec in _LANGUAGES.values():
        if lowered.endswith(spec.extensions):
            return spec
    return None


@lru_cache(maxsize=None)
def ts_language(language_id: str) -> tree_sitter.Language:
    """The compiled grammar, loaded once per process."""
    spec = get_spec(language_id)
    module = importlib.import_module(spec.grammar_module)
    return tree_sitter.Language(getattr(module, spec.grammar_function)())


def make_parser(language_id: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(ts_language(language_id))


def parse(source: bytes, language_id: str) -> tree_sitter.Tree:
    return make_parser(language_id).parse(source)


@lru_cache(maxsize=4096)
def query(language_id: str, source: str) -> tree_sitter.Query:
    """Compile a tree-sitter query once and reuse it."""
    return tree_sitter.Query(ts_language(language_id), source)
