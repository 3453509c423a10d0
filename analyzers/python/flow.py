"""Python's adapter for the shared taint core (`analyzers/common/taint.py`).

Python rules still use `python/taint.py`, whose sources and sanitisers are
tuned for Flask/Django/FastAPI; this adapter lets rule families written on the
shared core run on Python too.
"""

from __future__ import annotations

from ..common.dataflow import Flow
from ..common.syntax import PYTHON
from .dataflow import reaching_definitions


def _no_parameter_taint(ctx, definition):
    return None


FLOW = Flow(syntax=PYTHON, reaching_definitions=reaching_definitions, parameter_taint=_no_parameter_taint)
