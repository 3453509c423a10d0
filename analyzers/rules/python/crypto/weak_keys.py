"""PY-CRYPTO-004 weak-asymmetric-key: RSA or DSA keys shorter than 2048 bits, weak elliptic curves.

**What it finds.** Key generation with a size below 2048 bits:
`rsa.generate_private_key(public_exponent=65537, key_size=1024)` and
`dsa.generate_private_key(key_size=1024)` (cryptography),
`RSA.generate(1024)` / `DSA.generate(1024)` (PyCryptodome), `rsa.newkeys(512)`
(python-rsa); and elliptic curves under 224 bits (`ec.SECP192R1()`,
`ec.SECT163K1()`, ...). Only literal sizes are judged; computed ones are not.

**Fix.** "Generate a 2048-bit key" replaces the size with `2048` (the NIST
minimum until 2030; choose 3072 for keys that must last longer). Only newly
generated keys change: existing keys, signatures and ciphertexts stay valid,
so the code keeps working. Weak curves have no automatic fix (peers must
support the new curve): use `ec.SECP256R1()` or Ed25519.
"""

from __future__ import annotations

from typing import Iterator

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.names import calls
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

MINIMUM_BITS = 2048
# qualified call -> (keyword, position) of its key size
KEY_GENERATORS = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": ("key_size", 1),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": ("key_size", 0),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_parameters": ("key_size", 0),
    "Crypto.PublicKey.RSA.generate": ("bits", 0),
    "Cryptodome.PublicKey.RSA.generate": ("bits", 0),
    "Crypto.PublicKey.DSA.generate": ("bits", 0),
    "Cryptodome.PublicKey.DSA.generate": ("bits", 0),
    "rsa.newkeys": ("nbits", 0),
}
WEAK_CURVES = frozenset({"SECP192R1", "SECT163K1", "SECT163R2", "SECP160R1", "SECP112R1", "SECT193R1", "BrainpoolP160R1"})
EC_PREFIX = "cryptography.hazmat.primitives.asymmetric.ec."


@register
class WeakAsymmetricKey(Rule):
    id = "PY-CRYPTO-004"
    name = "weak-asymmetric-key"
    triggers = tuple(sorted(last_parts(KEY_GENERATORS) | WEAK_CURVES))
    cwe = 326
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Generate a 2048-bit key"
    summary = "RSA/DSA key shorter than 2048 bits or an elliptic curve under 224 bits"
    explanation = Explanation(
        what="An asymmetric key is generated too short to resist factoring or discrete-log attacks.",
        why=(
            "A 1024-bit key signs and decrypts exactly like a 4096-bit one, so nothing fails. But 512-bit RSA is "
            "factored in hours on rented machines and 1024-bit keys are within reach of well-funded attackers; "
            "whoever factors the key forges signatures and decrypts recorded traffic."
        ),
        hostile_input="An attacker takes the public key from a certificate or JWKS endpoint and factors the 512-bit modulus with CADO-NFS.",
        fix="`rsa.generate_private_key(public_exponent=65537, key_size=2048)` (or 3072), or use Ed25519 / P-256.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            if name in KEY_GENERATORS:
                keyword, position = KEY_GENERATORS[name]
                size = unwrap_parens(argument_value(ctx, call, keyword, position))
                bits = _int_value(ctx, size)
                if size is None or bits is None or bits >= MINIMUM_BITS:
                    continue
                fix = Fix(f"Generate a {MINIMUM_BITS}-bit key (existing keys stay valid)", (Edit(size.start_byte, size.end_byte, str(MINIMUM_BITS)),))
                yield self.finding(ctx, size, f"{bits}-bit key is too short to resist factoring; use at least {MINIMUM_BITS} bits", fixes=(fix,) if size.type == "integer" else ())
            elif name and name.startswith(EC_PREFIX) and name[len(EC_PREFIX):] in WEAK_CURVES:
                yield self.finding(ctx, call, f"{name[len(EC_PREFIX):]} is below 224 bits of strength; use SECP256R1 or Ed25519")


def _int_value(ctx: AnalysisContext, node) -> int | None:
    """A literal key size; computed sizes and names are not judged."""
    if node is None or node.type != "integer":
        return None
    try:
        return int(ctx.text(node).replace("_", ""), 0)
    except ValueError:
        return None
