"""Authentication mechanics: password hashing, secret comparison, JWT, cookies, randomness."""
