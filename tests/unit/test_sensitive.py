"""Credential evidence: names, values and module context used by the PY-SECRET rules."""

from __future__ import annotations

import pytest

from draftguard.analyzers import analyze, parse
from draftguard.analyzers.python.sensitive import credential_value, identifier_words, looks_random, secret_name_strength


@pytest.mark.parametrize(
    "name, expected",
    [
        ("DB_PASSWORD", "strong"), ("dbPassword", "strong"), ("client_secret", "strong"), ("apiKey", "strong"),
        ("SECRET_KEY", "strong"), ("x-api-key", "strong"), ("auth_token", "weak"), ("key", "weak"),
        ("token_type", None), ("password_field", None), ("secret_name", None), ("api_key_header", None),
        ("password_hash", None), ("token_key", None), ("bypass", None), ("keyboard_layout", None),
        ("secretary", None), ("compass_heading", None),
    ],
)
def test_secret_name_strength(name, expected) -> None:
    assert secret_name_strength(name) == expected


def test_identifier_words_split_case_and_separators() -> None:
    assert identifier_words("getHTTPApiKey_v2") == ["get", "http", "api", "key", "v", "2"]


@pytest.mark.parametrize(
    "value, strength, expected",
    [
        ("hunter2-Prod", "strong", True), ("Bearer", "strong", False), ("changeme", "strong", False),
        ("your-api-key-here", "strong", False), ("<token>", "strong", False), ("DB_PASSWORD", "strong", False),
        ("password", "strong", False), ("X-API-Key", "strong", False), ("Enter password:", "strong", False),
        ("https://example.org/token", "strong", False), ("{password}", "strong", False),
        ("session:42", "weak", False), ("f3a9c1d27be84e0a9c55d1e07a6b2c4d", "weak", True),
        ("Bearer 9f8e7d6c5b4a39281716afbecd0e1f2a", "weak", True), ("access_token_value", "weak", False),
    ],
)
def test_credential_value(value, strength, expected) -> None:
    assert credential_value(value, strength) is expected


def test_looks_random_rejects_digests_of_known_constants() -> None:
    assert not looks_random("d41d8cd98f00b204e9800998ecf8427e")
    assert looks_random("q8W2x7Lr4Kp1Zt9V")


def _ids(source: str) -> list[str]:
    data = source.encode()
    return [f.rule_id for f in analyze(data, parse(data, "python"), "python")]


def test_flask_tutorial_dev_key_overridden_from_instance_config_is_not_reported() -> None:
    source = (
        "from flask import Flask\n\n"
        "def create_app():\n"
        "    app = Flask(__name__, instance_relative_config=True)\n"
        "    app.config.from_mapping(SECRET_KEY='dev')\n"
        "    app.config.from_pyfile('config.py', silent=True)\n"
        "    return app\n"
    )
    assert "PY-SECRET-002" not in _ids(source)
    assert "PY-SECRET-002" in _ids(source.replace("    app.config.from_pyfile('config.py', silent=True)\n", ""))


def test_credentials_in_test_modules_are_fixtures() -> None:
    source = "import pytest\n\ndef login(client):\n    return client.post('/login', data={'password': 'hunter2-Prod'})\n"
    assert "PY-SECRET-001" not in _ids(source)
    assert "PY-SECRET-001" in _ids(source.replace("import pytest\n", ""))


@pytest.mark.parametrize("name", ["hashed_password", "password_hash", "encrypted_secret", "bcrypt_password"])
def test_transformed_secrets_are_not_the_secret(name) -> None:
    from draftguard.analyzers.python.sensitive import is_secret_name

    assert secret_name_strength(name) is None
    assert not is_secret_name(name)


def test_lexer_tokens_are_not_secrets_without_web_or_crypto_imports() -> None:
    source = "def parse(tokens, expected):\n    token = tokens.pop()\n    return token == expected\n"
    assert "PY-TIMING-001" not in _ids(source)
    assert "PY-TIMING-001" in _ids("import hmac\n" + source)


@pytest.mark.parametrize(
    "source, rule_id",
    [
        ("def merge(key_node):\n    if key_node.tag == 'tag:yaml.org,2002:merge':\n        return 1\n", "PY-SECRET-001"),
        ("def redact(netloc):\n    password = ':****'\n    return netloc + password\n", "PY-SECRET-001"),
        ("import hmac\nclass Auth:\n    def __eq__(self, other):\n        return self.password == other.password\n", "PY-TIMING-001"),
        ("import jwt\ndef opts(options, merged):\n    return options['verify_signature'] != merged\n", "PY-TIMING-001"),
        ("import hmac\ndef same(nonce, last_nonce):\n    return nonce == last_nonce\n", "PY-TIMING-001"),
        ("import hashlib\ndef patch_name(text):\n    return hashlib.sha1(text.encode()).hexdigest()[:8]\n", "PY-HASH-002"),
    ],
)
def test_library_code_patterns_are_not_reported(source, rule_id) -> None:
    assert rule_id not in _ids(source)
