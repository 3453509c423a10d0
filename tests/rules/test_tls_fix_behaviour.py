"""PY-TLS-001/002 fixes against a real TLS server on loopback.

A server with a certificate from a trusted (test) CA must answer the fixed code
exactly as it answered the original; an impostor with a self-signed
certificate for the same name, which the original accepts, must be refused.
"""

from __future__ import annotations

import ssl

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module, original_and_fixed
from tests.rules.localhttp import PAYLOAD, make_certificates, serve

requests = pytest.importorskip("requests")
urllib3 = pytest.importorskip("urllib3")

CASES = {
    "requests_verify_false": (
        "import requests\n\ndef run(url):\n    return requests.get(url, verify=False, timeout=10).json()\n",
        (requests.exceptions.SSLError,),
    ),
    "session_verify_attribute": (
        "import requests\n\ndef run(url):\n    s = requests.Session()\n    s.verify = False\n    return s.get(url, timeout=10).json()\n",
        (requests.exceptions.SSLError,),
    ),
    "unverified_context": (
        "import json\nimport ssl\nimport urllib.request\n\ndef run(url):\n    ctx = ssl._create_unverified_context()\n"
        "    return json.loads(urllib.request.urlopen(url, context=ctx, timeout=10).read())\n",
        (ssl.SSLError, OSError),
    ),
    "context_switches": (
        "import json\nimport ssl\nimport urllib.request\n\ndef run(url):\n    ctx = ssl.create_default_context()\n"
        "    ctx.check_hostname = False\n    ctx.verify_mode = ssl.CERT_NONE\n"
        "    return json.loads(urllib.request.urlopen(url, context=ctx, timeout=10).read())\n",
        (ssl.SSLError, OSError),
    ),
    "urllib3_cert_reqs": (
        "import json\nimport urllib3\n\ndef run(url):\n    pool = urllib3.PoolManager(cert_reqs='CERT_NONE', retries=False)\n"
        "    return json.loads(pool.request('GET', url, timeout=10).data)\n",
        (urllib3.exceptions.SSLError,),
    ),
}


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def trust_test_ca(certificates, monkeypatch):
    """The fixed code uses the default trust store: point it at the test CA.

    Call it only around the fixed code: requests lets REQUESTS_CA_BUNDLE (and
    CURL_CA_BUNDLE) override `session.verify = False`, which would hide the
    original's flaw, so they are cleared until then."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)

    def trust() -> None:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates.ca))

    return trust


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_accepts_the_real_server_and_refuses_an_impostor(name, tmp_path, certificates, trust_test_ca) -> None:
    source, refused = CASES[name]
    before, after, _fixed = original_and_fixed(source, "PY-TLS-001", tmp_path)
    expected = {**PAYLOAD, "path": "/x"}

    with serve(certificates.server_cert, certificates.server_key) as real, serve(certificates.impostor_cert, certificates.impostor_key) as impostor:
        assert before(real + "/x") == expected
        assert before(impostor + "/x") == expected, "the original really talks to the impostor"
        trust_test_ca()
        assert after(real + "/x") == expected
        with pytest.raises(refused):
            after(impostor + "/x")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
def test_minimum_version_fix_still_connects(tmp_path, certificates, trust_test_ca) -> None:
    trust_test_ca()
    source = (
        "import json\nimport ssl\nimport urllib.request\n\ndef run(url):\n    ctx = ssl.create_default_context()\n"
        "    ctx.minimum_version = ssl.TLSVersion.TLSv1\n"
        "    return ctx.minimum_version, json.loads(urllib.request.urlopen(url, context=ctx, timeout=10).read())\n"
    )
    fixed = fix_once(source, "PY-TLS-002")
    assert not findings_of(fixed, "PY-TLS-002")
    with serve(certificates.server_cert, certificates.server_key) as base:
        version_before, body_before = load_module(source, tmp_path).run(base)
        version_after, body_after = load_module(fixed, tmp_path).run(base)
    assert body_after == body_before
    assert version_before == ssl.TLSVersion.TLSv1 and version_after == ssl.TLSVersion.TLSv1_2
