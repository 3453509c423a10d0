"""Injection rules for Python: untrusted text that ends up as code for an
interpreter (shell, Python, templates, HTML, LDAP, XPath, MongoDB, headers,
logs). SQL lives in `rules/python/sql_injection.py`."""
