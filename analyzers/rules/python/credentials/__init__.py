"""Hard-coded credentials: passwords, API keys, framework secret keys, tokens."""
