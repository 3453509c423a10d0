"""Cryptography misuse: ECB, static IVs and nonces, broken ciphers, short keys."""
