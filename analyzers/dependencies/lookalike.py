"""Is an unknown package name a near miss of a popular one?

Typosquatting and slopsquatting both bet on names that are *almost* a real
package: one letter off (`reqeusts`), another separator (`react_dom`,
`lodash-merge`), plural or singular (`request`/`requests`), a common prefix or
suffix added or dropped (`python-requests`, `pyyaml` for `yaml`, `node-fetch`
/`fetch`, `chalk-js`). Only names that are not themselves popular are
checked, and the caller checks only names the project neither declares,
installs nor provides; so the popular package itself and what the project
clearly intends are never reported.

Edit distance is Damerau-Levenshtein 1 (insert, delete, replace, swap two
neighbours), tried by generating the query's neighbours and looking them up
(a few hundred set look-ups, no scan of the list), for names of four or more
characters: shorter names have too many popular neighbours to mean anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import distribution_modules, import_names, popular
from .names import module_guesses, normalise

MIN_EDIT_LENGTH = 4
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_."
_AFFIXES = {
    "pypi": (("python-", "py-", "py"), ("-python", "-py", "py", "-py3", "3", "2")),
    "npm": (("node-", "js-"), ("-js", ".js", "js", "-node", "-ts")),
}


@dataclass(frozen=True)
class Lookalike:
    name: str
    """The name as written."""
    popular: str
    """The popular package it resembles (a normalised distribution for PyPI)."""
    reason: str
    module: str | None = None
    """PyPI: the module the popular distribution is imported as, when known."""


def _squash(name: str) -> str:
    return name.replace("-", "").replace("_", "").replace(".", "")


@lru_cache(maxsize=None)
def _universe(ecosystem: str) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """(candidate -> rank, squashed -> candidate, candidate -> distribution).

    For PyPI the candidates are the popular distributions plus the import
    names of those whose module is named differently (`sklearn`, `cv2`)."""
    names = popular(ecosystem)
    rank = dict(names.rank)
    owner = {n: n for n in names.names}
    if ecosystem == "pypi":
        for module, dists in import_names().items():
            best = min((names.rank[d] for d in dists if d in names.rank), default=None)
            key = normalise(module)
            if best is not None:  # `sklearn` is also a (placeholder) distribution: name the real one
                rank[key] = min(best, rank.get(key, best))
                owner[key] = names.names[best]
    squashed: dict[str, str] = {}
    for candidate in sorted(rank, key=rank.__getitem__):
        squashed.setdefault(_squash(candidate), candidate)
    return rank, squashed, owner


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _ALPHABET]
    inserts = [a + c + b for a, b in splits for c in _ALPHABET]
    return set(deletes + swaps + replaces + inserts)


def damerau_levenshtein(a: str, b: str) -> int:
    """Optimal string alignment distance (adjacent swaps cost one)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _affix_candidates(query: str, ecosystem: str) -> set[str]:
    prefixes, suffixes = _AFFIXES[ecosystem]
    out: set[str] = set()
    for prefix in prefixes:
        out.add(prefix + query)
        if query.startswith(prefix):
            out.add(query[len(prefix) :])
    for suffix in suffixes:
        out.add(query + suffix)
        if query.endswith(suffix):
            out.add(query[: -len(suffix)])
    return {c for c in out if len(c) >= 3}


def _plural_candidates(query: str) -> set[str]:
    out = {query + "s"}
    if query.endswith("es") and len(query) > 4:
        out.add(query[:-2])
    if query.endswith("s") and len(query) > 3:
        out.add(query[:-1])
    return out


def _key(name: str, ecosystem: str) -> str:
    return normalise(name) if ecosystem == "pypi" else name.lower()


def is_popular(name: str, ecosystem: str) -> bool:
    return _key(name, ecosystem) in _universe(ecosystem)[0]


def find_lookalike(name: str, ecosystem: str) -> Lookalike | None:
    """The popular package `name` resembles, or None (also when `name` is popular)."""
    rank, squashed, owner = _universe(ecosystem)
    query = _key(name, ecosystem)
    if not query or query in rank:
        return None
    stages: list[tuple[str, set[str]]] = []
    same = squashed.get(_squash(query))
    if same is not None:
        stages.append(("the same name with other separators", {same}))
    stages.append(("singular/plural of the name", _plural_candidates(query)))
    stages.append(("the name with a prefix or suffix added or dropped", _affix_candidates(query, ecosystem)))
    if len(query) >= MIN_EDIT_LENGTH:
        stages.append(("one character away", {c for c in _edits1(query) if len(c) >= MIN_EDIT_LENGTH}))
    for reason, candidates in stages:
        hits = [c for c in candidates if c in rank and c != query]
        if hits:
            best = min(hits, key=rank.__getitem__)
            dist = owner[best]
            return Lookalike(name, dist, reason, _module_for(best, dist) if ecosystem == "pypi" else None)
    return None


_NOT_MODULES = frozenset(
    {
        "pycryptodome", "pycryptodomex", "mysqlclient", "djangorestframework", "gitpython", "dnspython", "grpcio",
        "pygobject", "speechrecognition", "wxpython", "robotframework", "slackclient", "pytelegrambotapi", "ansicolors",
        "odfpy", "fusepy", "impyla", "pyshp", "gnureadline", "s3cmd", "beautifulsoup",
    }
)
"""Popular distributions whose own name is no module, where nothing in the
name says so (`import mysqlclient` fails; the module is `MySQLdb`)."""
_PREFERRED_MODULE = {"pillow": "PIL"}
"""Distributions not importable by their name whose table lists several
modules: the one to suggest (pillow also ships the old top-level `Image`)."""


def preferred_module(distribution: str) -> str | None:
    """The module a distribution is imported as, where the table says it differs."""
    return _PREFERRED_MODULE.get(distribution) or distribution_modules().get(distribution)


def not_a_module(dist: str, module: str) -> bool:
    """Whether a popular distribution's own name cannot be a module, so that its
    mapped `module` is what code importing it means (see resolve._distribution_as_module)."""
    module_key = normalise(module)
    return (
        "-" in dist
        or module_key in module_guesses(dist)
        or dist[-1].isdigit()
        or dist in _NOT_MODULES
        or dist in _PREFERRED_MODULE
    )


def _module_for(candidate: str, distribution: str) -> str | None:
    """The import name to suggest for a PyPI candidate: its own spelling when
    the candidate is an import name (`sklearn`), the mapped module of a
    distribution (`python-dateutil` -> dateutil), else the distribution with
    underscores; None for namespace distributions, where it is not one name."""
    for module in import_names():
        if normalise(module) == candidate:
            return module
    mapped = preferred_module(distribution)
    if mapped is not None and not_a_module(distribution, mapped):
        return mapped
    if "-" in distribution and distribution.split("-")[0] in ("google", "azure", "zope", "jaraco", "sphinxcontrib", "backports", "opentelemetry"):
        return None
    return distribution.replace("-", "_")
