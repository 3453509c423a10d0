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
