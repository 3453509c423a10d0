"""PY-CRYPTO-001/002/003: block ciphers used in ways that leak the plaintext.

**PY-CRYPTO-001 ecb-mode.** ECB encrypts equal 16-byte blocks to equal
ciphertext blocks: `AES.new(key, AES.MODE_ECB)` (PyCryptodome/PyCrypto, any
cipher module), `Cipher(algorithms.AES(key), modes.ECB())` (cryptography).

**PY-CRYPTO-002 static-iv-or-nonce.** An IV or nonce that is the same for
every message: a literal (`b"0000000000000000"`, `b"\\x00" * 16`,
`bytes(16)`), a module constant or a local variable assigned one, passed to
`modes.CBC/CTR/GCM/OFB/CFB(...)`, `AESGCM(...).encrypt(nonce, ...)`,
`ChaCha20Poly1305(...).encrypt(nonce, ...)`, `algorithms.ChaCha20(key, nonce)`
or PyCryptodome's `iv=` / `nonce=` / third positional argument. A cipher made
only to decrypt (`AES.new(key, AES.MODE_CBC, iv).decrypt(data)`) is not
reported: decryption must reuse the sender's IV; the encrypting side is.

**PY-CRYPTO-003 broken-cipher.** DES, 3DES (TripleDES), RC4 (ARC4), RC2,
Blowfish, CAST5, IDEA and SEED from PyCryptodome, cryptography or `pyDes`.

**No automatic fix.** A new mode or a random IV changes the ciphertext
format: data encrypted before cannot be decrypted by the changed code. Use
an AEAD (`AESGCM` with `os.urandom(12)` per message, stored next to the
ciphertext), and migrate existing data explicitly.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.names import calls, method_name, qualified_name
from ....python.sensitive import string_literal_value
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

PYCRYPTO = ("Crypto.Cipher.", "Cryptodome.Cipher.")
MODES = "cryptography.hazmat.primitives.ciphers.modes."
ALGORITHMS = "cryptography.hazmat.primitives.ciphers.algorithms."
AEAD = "cryptography.hazmat.primitives.ciphers.aead."
IV_MODES = {"CBC": "IV", "CTR": "nonce", "GCM": "IV", "OFB": "IV", "CFB": "IV", "CFB8": "IV", "XTS": "tweak"}
AEAD_CLASSES = ("AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3", "AESGCMSIV")
BROKEN = {
    "DES": "DES", "DES3": "3DES", "ARC4": "RC4", "ARC2": "RC2", "Blowfish": "Blowfish", "CAST": "CAST5",
    "TripleDES": "3DES", "IDEA": "IDEA", "CAST5": "CAST5", "SEED": "SEED",
}


def _pycrypto_module(name: str | None) -> str | None:
    """`Crypto.Cipher.AES.new` -> "AES"."""
    if not name:
        return None
    for prefix in PYCRYPTO:
        if name.startswith(prefix):
            return name[len(prefix):].split(".")[0]
    return None


def is_constant_bytes(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """A value that is the same on every run: literals, `b"\\0" * 16`, `bytes(16)`, names bound to those."""
    node = unwrap_parens(node)
    if node is None or depth > 6:
        return False
    if node.type in ("string", "concatenated_string"):
        return string_literal_value(ctx, node) is not None
    if node.type == "binary_operator":
        return all(is_constant_bytes(ctx, side, depth + 1) or (side is not None and side.type == "integer") for side in (node.child_by_field_name("left"), node.child_by_field_name("right")))
    if node.type == "call":
        name = qualified_name(ctx, node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if name in ("bytes", "bytearray", "bytes.fromhex", "bytearray.fromhex", "binascii.unhexlify", "base64.b64decode"):
            return bool(items) and all(a.type in ("integer", "list") or is_constant_bytes(ctx, a, depth + 1) for a in items)
        if method_name(ctx, node) == "encode":
            receiver = node.child_by_field_name("function").child_by_field_name("object")
            return is_constant_bytes(ctx, receiver, depth + 1)
        return False
    if node.type == "identifier":
        definitions = reaching_definitions(ctx, node)
        if definitions:
            return all(d.kind == "assign" and is_constant_bytes(ctx, d.value, depth + 1) for d in definitions)
        return ctx.text(node) in ctx.facts.get("constants", ())
    return False


class _CipherRule(Rule):
    owasp = "A02:2021"
    languages = ("python",)
    cwe = 327


@register
class EcbMode(_CipherRule):
    id = "PY-CRYPTO-001"
    name = "ecb-mode"
    triggers = ("ECB",)
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Block cipher in ECB mode"
    explanation = Explanation(
        what="Data is encrypted in ECB mode, where each block is encrypted on its own with the same key.",
        why=(
            "Encryption and decryption work, so it looks done. But identical plaintext blocks give identical "
            "ciphertext blocks: patterns, repeated fields and equal records show through, blocks can be cut and "
            "pasted between messages, and nothing detects tampering."
        ),
        hostile_input=(
            "A user registers with the name `AAAAAAAAAAAAAAAAadmin...` and swaps the second ciphertext block of their "
            "encrypted cookie into someone else's: ECB decrypts the spliced blocks without complaint."
        ),
        fix="Use an authenticated mode with a fresh nonce per message: `AESGCM(key).encrypt(os.urandom(12), data, None)`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for node in ctx.captures("[(attribute) (identifier)] @n").get("n", []):
            if node.type == "attribute" and not ctx.text(node).endswith("MODE_ECB"):
                continue  # an import alias renames only the first part of a dotted name
            parent = node.parent
            if parent is not None and (parent.type in ("attribute", "dotted_name", "aliased_import") or parent.type.startswith("import")):
                continue
            name = qualified_name(ctx, node)
            if name and _pycrypto_module(name) and name.endswith(".MODE_ECB"):
                yield self.finding(ctx, node, f"{_pycrypto_module(name)} in ECB mode leaks plaintext patterns; use an AEAD mode such as GCM")
        for call, name in calls(ctx):
            if name == MODES + "ECB":
                yield self.finding(ctx, call, "modes.ECB() leaks plaintext patterns; use AESGCM or modes.GCM with a random nonce")


@register
class StaticIvOrNonce(_CipherRule):
    id = "PY-CRYPTO-002"
    name = "static-iv-or-nonce"
    # modes.CBC(...) and friends, algorithms.ChaCha20, PyCryptodome's
    # `<Cipher>.new`, and `.encrypt(nonce, ...)` of an AEAD object
    triggers = tuple(sorted(IV_MODES)) + ("ChaCha20", "new", "encrypt")
    cwe = 329
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Constant IV or nonce used for encryption"
    explanation = Explanation(
        what="Every message is encrypted with the same IV or nonce.",
        why=(
            "Decryption still works, so the constant looks harmless. With CBC, equal message prefixes give equal "
            "ciphertext; with CTR, GCM or ChaCha20, two messages under the same nonce XOR to the XOR of their "
            "plaintexts, and GCM's authentication key can be recovered, after which forgeries are accepted."
        ),
        hostile_input=(
            "The attacker gets one plaintext encrypted (e.g. their own profile) and XORs its ciphertext with a "
            "victim's ciphertext under the same nonce: the result is the victim's plaintext XOR a known value."
        ),
        fix="Generate a fresh one per message (`os.urandom(12)` for GCM, `os.urandom(16)` for CBC) and send it with the ciphertext.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            iv, what = self._iv_argument(ctx, call, name)
            if iv is not None and is_constant_bytes(ctx, iv):
                yield self.finding(ctx, iv, f"Constant {what}: every message is encrypted with the same one; use os.urandom() per message")

    @staticmethod
    def _iv_argument(ctx: AnalysisContext, call: Node, name: str | None) -> tuple[Node | None, str]:
        if name and name.startswith(MODES):
            mode = name[len(MODES):]
            if mode in IV_MODES:
                field = {"IV": "initialization_vector", "nonce": "nonce", "tweak": "tweak"}[IV_MODES[mode]]
                return argument_value(ctx, call, field, 0), f"{mode} {IV_MODES[mode]}"
        if name == ALGORITHMS + "ChaCha20":
            return argument_value(ctx, call, "nonce", 1), "ChaCha20 nonce"
        module = _pycrypto_module(name)
        if module and name.endswith(".new"):
            parent = call.parent
            if parent is not None and parent.type == "attribute" and ctx.text(parent.child_by_field_name("attribute")).startswith("decrypt"):
                return None, ""
            value = argument_value(ctx, call, "iv", 2) or argument_value(ctx, call, "nonce", None)
            return value, f"{module} IV/nonce"
        if method_name(ctx, call) == "encrypt":
            receiver = unwrap_parens(call.child_by_field_name("function").child_by_field_name("object"))
            receiver_name = None
            if receiver is not None and receiver.type == "call":
                receiver_name = qualified_name(ctx, receiver.child_by_field_name("function"))
            elif receiver is not None and receiver.type == "identifier":
                for definition in reaching_definitions(ctx, receiver):
                    value = unwrap_parens(definition.value)
                    if value is not None and value.type == "call":
                        receiver_name = qualified_name(ctx, value.child_by_field_name("function"))
            if receiver_name and receiver_name.startswith(AEAD) and receiver_name[len(AEAD):] in AEAD_CLASSES:
                return argument_value(ctx, call, "nonce", 0), f"{receiver_name[len(AEAD):]} nonce"
        return None, ""


@register
class BrokenCipher(_CipherRule):
    id = "PY-CRYPTO-003"
    name = "broken-cipher"
    # `DES.new` (also `from Crypto.Cipher.DES import new`), algorithms.TripleDES(...), pyDes.des / triple_des
    triggers = tuple(sorted(BROKEN)) + ("new", "des")
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Broken or obsolete cipher (DES, 3DES, RC4, RC2, Blowfish, CAST5, IDEA, SEED)"
    explanation = Explanation(
        what="Data is encrypted with a cipher that is broken or retired.",
        why=(
            "It round-trips correctly, so it passes tests. But DES keys are brute-forced in hours, RC4's keystream "
            "is biased enough to recover plaintext, and 64-bit-block ciphers (3DES, Blowfish, CAST5, IDEA) leak "
            "plaintext after a few gigabytes under one key (Sweet32)."
        ),
        hostile_input="An attacker with DES ciphertext and one known plaintext block searches the 2^56 keys on rented GPUs.",
        fix="Use AES-256-GCM (`AESGCM`) or ChaCha20-Poly1305 with a random nonce per message.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            cipher = None
            module = _pycrypto_module(name)
            if module in BROKEN and name.endswith(".new"):
                cipher = BROKEN[module]
            elif name and name.startswith(ALGORITHMS) and name[len(ALGORITHMS):] in BROKEN:
                cipher = BROKEN[name[len(ALGORITHMS):]]
            elif name and name.startswith("pyDes.") and name.split(".")[1] in ("des", "triple_des"):
                cipher = "DES" if name.endswith(".des") else "3DES"
            if cipher is not None:
                yield self.finding(ctx, call, f"{cipher} is broken or retired; use AES-GCM or ChaCha20-Poly1305")
