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


# -- the prefilter triggers PY-SECRET-001/003 take from this module ------------------------------
# Samples are assembled at run time so that this file holds no string in an issuer's format.
_ALNUM = "q7Rk2Lm9Xv4Tz8Np3Hc6Wb1Jd5Fg0Ys8"  # 32 characters
FORMAT_SAMPLES = {
    "AWS access key id": [prefix + "Z7QXK3M9B2D4F6H8" for prefix in ("AK" + "IA", "AS" + "IA", "AB" + "IA", "AC" + "CA")],
    "GitHub token": ["gh" + kind + "_" + _ALNUM + "abcd" for kind in "pousr"],
    "GitHub fine-grained token": ["github" + "_pat_" + _ALNUM],
    "Slack token": ["xo" + "x" + kind + "-1234567-" + _ALNUM[:12] for kind in "baprse"],
    "Slack webhook URL": ["https://hooks" + ".slack.com/services/TABC1234/BDEF5678/" + _ALNUM[:24]],
    "Stripe live key": [kind + "_li" + "ve_" + _ALNUM[:24] for kind in ("sk", "rk")],
    "Google API key": ["AI" + "za" + _ALNUM + "abc"],
    "OpenAI API key": ["sk" + "-" + kind + "-" + _ALNUM + _ALNUM[:10] for kind in ("proj", "svcacct", "admin")]
    + ["sk" + "-" + _ALNUM[:20] + "T3Blbk" + "FJ" + _ALNUM[:20]],
    "Anthropic API key": ["sk" + "-ant-" + kind + "03-" + _ALNUM * 3 for kind in ("api", "admin")],
    "SendGrid API key": ["S" + "G." + _ALNUM[:22] + "." + _ALNUM + _ALNUM[:11]],
    "Twilio API key": ["S" + "K" + "0123456789abcdef" * 2],
    "npm token": ["np" + "m_" + _ALNUM + "abcd"],
    "PyPI token": ["pypi" + "-AgEIcHlwaS5vcmc" + _ALNUM * 2],
    "Hugging Face token": ["h" + "f_" + "qRkLmXvTzNpHcWbJdFgYsAbCdEfGhIjKlM"],
    "private key": [
        "-----BEGIN " + kind + "PRIVATE" + " KEY" + block + "-----\n" + "MIIEowIBAAKCAQEA" * 4
        for kind in ("", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", "PGP ")
        for block in ("", " BLOCK")
    ],
}


def test_every_known_format_has_samples() -> None:
    from draftguard.analyzers.python.sensitive import KNOWN_FORMATS

    assert {fmt.name for fmt in KNOWN_FORMATS} == set(FORMAT_SAMPLES)


@pytest.mark.parametrize("name, sample", [(name, s) for name, samples in FORMAT_SAMPLES.items() for s in samples])
def test_known_format_samples_contain_a_declared_prefix(name: str, sample: str) -> None:
    """Each alternative of each pattern: a match holds one of the format's
    prefixes, so PY-SECRET-003's prefilter runs on the unit."""
    from draftguard.analyzers.prefilter import trigger_pattern
    from draftguard.analyzers.python.sensitive import KNOWN_FORMATS
    from draftguard.analyzers.rules import get_rule

    fmt = next(f for f in KNOWN_FORMATS if f.name == name)
    match = fmt.pattern.search(sample)
    assert match is not None, f"the sample does not exercise {name}"
    assert any(prefix in match.group(0) for prefix in fmt.prefixes)
    assert trigger_pattern(get_rule("PY-SECRET-003")).search(match.group(0).encode())


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "dbPassword", "PassWord", "pass_word", "USERPASSWD", "x-api-key", "apiKey", "AUTH_TOKEN", "Authorization",
     "client_secret", "clientSecret", "SIGNING_KEY", "pwd", "user_pw", "Creds", "credential", "PRIVATEKEY", "passphrase"],
)
def test_every_rated_secret_name_contains_a_fragment(name: str) -> None:
    from draftguard.analyzers.python.sensitive import SECRET_NAME_FRAGMENTS

    assert secret_name_strength(name) is not None
    assert any(fragment in name.lower() for fragment in SECRET_NAME_FRAGMENTS)


def test_secret_name_fragments_cover_every_rated_combination_of_known_words() -> None:
    """Two- and three-word names built from every word the strength check
    knows, in snake and camel case: each one it rates holds a fragment."""
    from itertools import product

    from draftguard.analyzers.python import sensitive

    vocabulary = sorted(sensitive.STRONG_WORDS | sensitive.WEAK_WORDS | sensitive.KEY_QUALIFIERS | sensitive.NOT_THE_SECRET | {"db", "user", "word"})
    rated = 0
    for words in [*product(vocabulary, repeat=2), *((a, "api", b) for a, b in product(vocabulary, repeat=2))]:
        for name in ("_".join(words), words[0] + "".join(w.title() for w in words[1:])):
            if secret_name_strength(name) is not None:
                rated += 1
                assert any(fragment in name.lower() for fragment in sensitive.SECRET_NAME_FRAGMENTS), name
    assert rated > 1000


@pytest.mark.parametrize("name", ["update_password", "change_password", "expire_password", "requireToken"])
def test_settings_about_a_secret_are_not_the_secret(name) -> None:
    """Ansible's user module: `update_password == "always"` is a policy, not a hard-coded password."""
    assert secret_name_strength(name) is None


@pytest.mark.parametrize("name", ["new_password", "old_password", "reset_token", "db_password", "password"])
def test_secrets_named_with_an_adjective_stay_secrets(name) -> None:
    assert secret_name_strength(name) == "strong" or secret_name_strength(name) == "weak"


@pytest.mark.parametrize("name", ["password_expire_min", "password_expire_max", "password_expire_warn", "token_max_age", "password_changed_at"])
def test_numbers_about_a_secret_are_not_compared_secrets(name) -> None:
    from draftguard.analyzers.python.sensitive import is_secret_name

    assert is_secret_name(name) is False
