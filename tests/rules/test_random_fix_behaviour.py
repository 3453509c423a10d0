"""PY-RAND-001's fix: same output type, length and range; no longer reproducible from the seed."""

from __future__ import annotations

import random
import string

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SOURCE = '''
import random
import string
from random import randint

ALPHABET = string.ascii_letters + string.digits


def generate_token(length=32):
    return "".join(random.choice(ALPHABET) for _ in range(length))


def make_reset_code():
    code = randint(100000, 999999)
    return str(code)


def make_otp():
    otp = str(random.randint(0, 999999)).zfill(6)
    return otp


def new_password():
    chars = random.choices(ALPHABET + "!@#$%", k=16)
    return "".join(chars)


def new_session_id():
    session_id = "%032x" % random.getrandbits(128)
    return session_id


def salt():
    salt = bytes(random.randrange(256) for _ in range(16))
    return salt
'''

SHAPES = {
    "generate_token": lambda v: isinstance(v, str) and len(v) == 32 and set(v) <= set(string.ascii_letters + string.digits),
    "make_reset_code": lambda v: isinstance(v, str) and v.isdigit() and 100000 <= int(v) <= 999999,
    "make_otp": lambda v: isinstance(v, str) and len(v) == 6 and v.isdigit(),
    "new_password": lambda v: isinstance(v, str) and len(v) == 16,
    "new_session_id": lambda v: isinstance(v, str) and len(v) == 32 and int(v, 16) < 2**128,
    "salt": lambda v: isinstance(v, bytes) and len(v) == 16,
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rand")
    assert len(findings_of(SOURCE, "PY-RAND-001")) == len(SHAPES)
    fixed = fix_once(SOURCE, "PY-RAND-001")
    assert not findings_of(fixed, "PY-RAND-001")
    return load_module(SOURCE, directory), load_module(fixed, directory)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_fixed_values_keep_type_length_and_range(name, modules) -> None:
    original, fixed = modules
    for _ in range(200):
        assert SHAPES[name](getattr(original, name)())
        assert SHAPES[name](getattr(fixed, name)())


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_fixed_values_cannot_be_replayed_from_the_seed(name, modules) -> None:
    original, fixed = modules
    random.seed(1234)
    first = getattr(original, name)()
    random.seed(1234)
    assert getattr(original, name)() == first, "the original is reproducible from the seed"
    random.seed(1234)
    a = [getattr(fixed, name)() for _ in range(3)]
    random.seed(1234)
    b = [getattr(fixed, name)() for _ in range(3)]
    assert a != b
