"""PY-TIMING-001's fix: the same verdicts for equal, unequal and missing values."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SOURCE = '''
import hashlib
import hmac

KEY = b"k" * 32


def has_api_key(headers, api_key):
    return headers.get("X-API-Key") == api_key


def verify(body, signature):
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    return signature == expected


def rejected(submitted_token, stored_token):
    return submitted_token != stored_token
'''

GOOD_SIG = hmac.new(b"k" * 32, b"payload", hashlib.sha256).hexdigest()
CASES = [
    ("has_api_key", ({"X-API-Key": "abc123"}, "abc123")),
    ("has_api_key", ({"X-API-Key": "abc124"}, "abc123")),
    ("has_api_key", ({}, "abc123")),
    ("verify", (b"payload", GOOD_SIG)),
    ("verify", (b"payload", "0" * 64)),
    ("verify", (b"payload", GOOD_SIG[:-1])),
    ("rejected", ("t0k3n", "t0k3n")),
    ("rejected", ("t0k3n", "t0k3m")),
    ("rejected", (b"t0k3n", b"t0k3n")),
]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    directory = tmp_path_factory.mktemp("timing")
    assert len(findings_of(SOURCE, "PY-TIMING-001")) == 3
    fixed = fix_once(SOURCE, "PY-TIMING-001")
    assert not findings_of(fixed, "PY-TIMING-001")
    assert fixed.count("hmac.compare_digest") == 3
    return load_module(SOURCE, directory), load_module(fixed, directory)


@pytest.mark.parametrize("name, args", CASES)
def test_fixed_comparison_gives_the_same_verdict(name, args, modules) -> None:
    original, fixed = modules
    assert getattr(fixed, name)(*args) == getattr(original, name)(*args)
