"""Supply-chain rules: imports of packages that may not be what the author meant."""
