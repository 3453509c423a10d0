"""Which web framework a file uses, and how that framework refuses a request.

Fixes that add a check (ownership, upload type, path containment) must stop
the request the way the surrounding code would: `abort(403)` in Flask,
`raise PermissionDenied` / `raise Http404` in Django,
`raise HTTPException(status_code=...)` in FastAPI/Starlette; outside a web
framework a plain exception.
"""

from __future__ import annotations

from ..context import AnalysisContext


def web_framework(ctx: AnalysisContext) -> str | None:
    """'fastapi', 'django', 'flask' or None, from the file's imports."""
    modules = set(ctx.facts.get("imported_modules", ()))
    if modules & {"fastapi", "starlette"}:
        return "fastapi"
    if modules & {"django", "rest_framework"}:
        return "django"
    if modules & {"flask", "flask_login", "werkzeug"}:
        return "flask"
    return None


def deny_statement(ctx: AnalysisContext, status: int, detail: str) -> tuple[str, tuple[str, ...]]:
    """A statement that ends the request with `status`, and the imports it needs."""
    framework = web_framework(ctx)
    if framework == "flask":
        return f"abort({status})", ("from flask import abort",)
    if framework == "django":
        if status == 403:
            return "raise PermissionDenied", ("from django.core.exceptions import PermissionDenied",)
        if status == 404:
            return "raise Http404", ("from django.http import Http404",)
        return f'raise SuspiciousOperation("{detail}")', ("from django.core.exceptions import SuspiciousOperation",)
    if framework == "fastapi":
        return f'raise HTTPException(status_code={status}, detail="{detail}")', ("from fastapi import HTTPException",)
    exception = "PermissionError" if status == 403 else "ValueError"
    return f'raise {exception}("{detail}")', ()
