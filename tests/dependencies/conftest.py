from __future__ import annotations

import pytest

from .environment import make_environment


@pytest.fixture(scope="session")
def venv_python(tmp_path_factory) -> str:
    """The python of a virtual environment where acme-widgets-toolkit (module acme_widgets) is installed."""
    return str(make_environment(tmp_path_factory.mktemp("depenv")))
