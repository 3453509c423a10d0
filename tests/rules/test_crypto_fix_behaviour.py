"""PY-CRYPTO-004's fix: the generated key is 2048 bits and signs and verifies as before."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.rules.fixrun import findings_of, fix_once, load_module

SOURCE = '''
from cryptography.hazmat.primitives.asymmetric import rsa


def make_signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)
'''


def _round_trip(key) -> bool:
    message = b"invoice 42: pay 10 EUR"
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    return True


def test_fixed_key_is_long_enough_and_works_the_same(tmp_path) -> None:
    assert findings_of(SOURCE, "PY-CRYPTO-004")
    fixed = fix_once(SOURCE, "PY-CRYPTO-004")
    assert not findings_of(fixed, "PY-CRYPTO-004")
    before = load_module(SOURCE, tmp_path).make_signing_key()
    after = load_module(fixed, tmp_path).make_signing_key()
    assert before.key_size == 1024 and after.key_size == 2048
    assert _round_trip(before) and _round_trip(after)
