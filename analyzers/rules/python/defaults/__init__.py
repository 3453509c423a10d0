"""Unsafe defaults and missing defensive code: APIs whose convenient call is the
dangerous one (`yaml.load`, `verify=False`, no timeout, `debug=True`) and
defensive checks written in a way that does not defend (`assert`, swallowed
exceptions)."""
