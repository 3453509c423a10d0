"""PY-EXCEPT-001's fix: a passing check changes nothing; a failing check now
stops the operation instead of being ignored."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import original_and_fixed

CHECK = (
    "import hmac\n\nSECRET = b'k'\n\n"
    "def verify_signature(body, signature):\n"
    "    expected = hmac.new(SECRET, body, 'sha256').hexdigest()\n"
    "    if not hmac.compare_digest(expected, signature):\n"
    "        raise ValueError('bad signature')\n\n"
)
CASES = {
    "pass": CHECK + "def run(body, signature):\n    try:\n        verify_signature(body, signature)\n    except Exception:\n        pass\n    return 'processed ' + body.decode()\n",
    "log_only": CHECK + "import logging\n\nlog = logging.getLogger('t')\n\n"
    "def run(body, signature):\n    try:\n        verify_signature(body, signature)\n    except Exception as exc:\n        log.debug('bad: %s', exc)\n    return 'processed ' + body.decode()\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fail_closed_fix(name, tmp_path) -> None:
    before, after, _fixed = original_and_fixed(CASES[name], "PY-EXCEPT-001", tmp_path)
    import hmac

    good = hmac.new(b"k", b"order-1", "sha256").hexdigest()
    assert after(b"order-1", good) == before(b"order-1", good) == "processed order-1"
    assert before(b"order-1", "00") == "processed order-1", "the original processes a forged request"
    with pytest.raises(ValueError):
        after(b"order-1", "00")
