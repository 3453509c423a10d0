"""PY-JWT-001/002/003 fixes with PyJWT: genuine tokens decode to the same claims,
forged ones (wrong key, "none" algorithm) are rejected after the fix."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SECRET = "s3cret-signing-key-for-tests-only-0123456789"

SOURCES = {
    "PY-JWT-001": f'import jwt\nSECRET = "{SECRET}"\n\ndef claims(token):\n    return jwt.decode(token, SECRET, options={{"verify_signature": False}})\n',
    "PY-JWT-002": f'import jwt\nSECRET = "{SECRET}"\n\ndef sign(c):\n    return jwt.encode(c, SECRET, algorithm="HS256")\n\ndef claims(token):\n    return jwt.decode(token, SECRET)\n',
    "PY-JWT-003": f'import jwt\nSECRET = "{SECRET}"\n\ndef claims(token):\n    return jwt.decode(token, SECRET, algorithms=["HS256", "none"])\n',
}


def _unsigned(claims: dict) -> str:
    def part(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


GENUINE = jwt.encode({"sub": "alice"}, SECRET, algorithm="HS256")
FORGED = {
    "wrong key": jwt.encode({"sub": "admin"}, "attacker-key-0123456789abcdef0123456789", algorithm="HS256"),
    "alg none": _unsigned({"sub": "admin"}),
}


@pytest.mark.parametrize("rule_id", sorted(SOURCES))
def test_fix_keeps_genuine_tokens_and_rejects_forged_ones(rule_id, tmp_path) -> None:
    source = SOURCES[rule_id]
    assert findings_of(source, rule_id)
    fixed = fix_once(source, rule_id)
    assert fixed != source and not findings_of(fixed, rule_id)
    after = load_module(fixed, tmp_path).claims
    assert after(GENUINE) == {"sub": "alice"}
    for name, token in FORGED.items():
        with pytest.raises(jwt.InvalidTokenError):
            after(token)


def test_unverified_decode_accepted_a_forged_token_before_the_fix(tmp_path) -> None:
    before = load_module(SOURCES["PY-JWT-001"], tmp_path).claims
    assert before(GENUINE) == {"sub": "alice"}
    assert before(FORGED["wrong key"]) == {"sub": "admin"}
