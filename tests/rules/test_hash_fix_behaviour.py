"""PY-HASH-001's fix: hashing and checking are rewritten together, so the right
password still verifies, a wrong one does not, equal passwords no longer give
equal hashes, and hashes stored in the old format are rejected without a crash."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SOURCE = '''
import hashlib


def hash_password(password):
    return hashlib.sha256(password.encode()).hexdigest()


def verify_password(password, stored_hash):
    return hash_password(password) == stored_hash


def register(user, password):
    user.password_hash = hashlib.md5(password.encode("utf-8")).hexdigest()
    return user


def check(user, password):
    if user.password_hash != hashlib.md5(password.encode("utf-8")).hexdigest():
        return False
    return True
'''


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hash")
    assert len(findings_of(SOURCE, "PY-HASH-001")) == 4
    fixed = fix_once(SOURCE, "PY-HASH-001")
    assert not findings_of(fixed, "PY-HASH-001"), fixed
    return load_module(SOURCE, directory), load_module(fixed, directory)


@pytest.mark.parametrize("password", ["correct horse", "pässwörd-ünïcode", ""])
def test_hash_then_verify_accepts_the_right_password_only(password, modules) -> None:
    for module in modules:
        stored = module.hash_password(password)
        assert module.verify_password(password, stored) is True
        assert module.verify_password(password + "x", stored) is False
        user = module.register(SimpleNamespace(), password)
        assert module.check(user, password) is True
        assert module.check(user, password.upper() + "!") is False


def test_fixed_hashes_are_salted_and_slow(modules) -> None:
    original, fixed = modules
    assert original.hash_password("hunter2") == original.hash_password("hunter2")
    first, second = fixed.hash_password("hunter2"), fixed.hash_password("hunter2")
    assert first != second, "a random salt makes equal passwords hash differently"
    salt, _, digest = first.partition("$")
    assert len(bytes.fromhex(salt)) == 16 and digest == hashlib.scrypt(b"hunter2", salt=bytes.fromhex(salt), n=2**14, r=8, p=1).hex()


def test_hashes_in_the_old_format_are_rejected_not_crashing(modules) -> None:
    _original, fixed = modules
    legacy = hashlib.sha256(b"hunter2").hexdigest()
    assert fixed.verify_password("hunter2", legacy) is False
    assert fixed.check(SimpleNamespace(password_hash=hashlib.md5(b"hunter2").hexdigest()), "hunter2") is False


WEAK_DIGEST = '''
import hashlib


def document_id(body):
    digest = hashlib.new("sha1")
    digest.update(body)
    return digest.hexdigest()


def raw(body):
    return hashlib.md5(body).digest()
'''


def _apply_fix(source: str, title_start: str) -> str:
    from draftguard.analyzers import analyze, apply_edits, parse

    data = source.encode()
    for _ in range(10):
        findings = [f for f in analyze(data, parse(data, "python"), "python") if f.rule_id == "PY-HASH-002"]
        fixes = [fix for f in findings for fix in f.fixes if fix.title.startswith(title_start)]
        if not fixes:
            return data.decode()
        data = apply_edits(data, fixes[0].edits)
    raise AssertionError("fixes did not converge")


def test_weak_digest_fixes_keep_the_output_type_or_the_exact_digest(tmp_path) -> None:
    assert len(findings_of(WEAK_DIGEST, "PY-HASH-002")) == 2
    original = load_module(WEAK_DIGEST, tmp_path)
    stronger = load_module(_apply_fix(WEAK_DIGEST, "Use SHA-256"), tmp_path)
    marked_source = _apply_fix(WEAK_DIGEST, "Mark as not for security")
    assert not findings_of(marked_source, "PY-HASH-002")
    marked = load_module(marked_source, tmp_path)
    body = b"quarterly report v2"
    assert stronger.document_id(body) == hashlib.sha256(body).hexdigest()
    assert isinstance(stronger.raw(body), bytes) and len(stronger.raw(body)) == 32
    assert marked.document_id(body) == original.document_id(body) and marked.raw(body) == original.raw(body)
