"""PY-SECRET-001/002/003 fixes: same values once the environment holds the old
secret, and a loud failure (not a silent public fallback) when it does not."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

CASES = {
    "PY-SECRET-001": (
        'DB_PASSWORD = "Pr0d-Db!2024"\n\ndef dsn():\n    return {"user": "app", "password": DB_PASSWORD}\n',
        {"DB_PASSWORD": "Pr0d-Db!2024"},
    ),
    "PY-SECRET-002": (
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")\n\n'
        "def dsn():\n    return app.config[\"SECRET_KEY\"]\n",
        {"SECRET_KEY": "dev"},
    ),
    "PY-SECRET-003": (
        'import types\nstripe = types.SimpleNamespace(api_key=None)\nstripe.api_key = "sk_live_51HqLyjWDarjtT1zdp7dcXD0ZTSx2kYs"\n\ndef dsn():\n    return stripe.api_key\n',
        {"STRIPE_API_KEY": "sk_live_51HqLyjWDarjtT1zdp7dcXD0ZTSx2kYs"},
    ),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fix_reads_the_same_value_from_the_environment(rule_id, tmp_path, monkeypatch) -> None:
    source, environment = CASES[rule_id]
    assert findings_of(source, rule_id)
    fixed = fix_once(source, rule_id)
    assert fixed != source and not findings_of(fixed, rule_id)
    for name in environment:
        monkeypatch.delenv(name, raising=False)
    before = load_module(source, tmp_path).dsn()
    with pytest.raises(KeyError):
        load_module(fixed, tmp_path)  # refuses to start without the secret
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_module(fixed, tmp_path).dsn() == before


def test_signing_key_fix_keeps_tokens_and_signatures(tmp_path, monkeypatch) -> None:
    source = (
        "import hashlib\nimport hmac\nimport jwt\n\n"
        "def token(claims):\n    return jwt.encode(claims, \"jwt-secret-for-local-dev-0123456789abcdef\", algorithm=\"HS256\")\n\n"
        "def signature(body):\n    return hmac.new(b\"whsec-local\", body, hashlib.sha256).hexdigest()\n"
    )
    assert len(findings_of(source, "PY-SECRET-001")) == 2
    fixed = fix_once(source, "PY-SECRET-001")
    assert 'os.environ["HMAC_KEY"].encode()' in fixed and not findings_of(fixed, "PY-SECRET-001")
    monkeypatch.setenv("JWT_SECRET", "jwt-secret-for-local-dev-0123456789abcdef")
    monkeypatch.setenv("HMAC_KEY", "whsec-local")
    before, after = load_module(source, tmp_path), load_module(fixed, tmp_path)
    assert after.token({"sub": "1"}) == before.token({"sub": "1"})
    assert after.signature(b"payload") == before.signature(b"payload")
