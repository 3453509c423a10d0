# draftguard: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test-only npm packages for running original and fixed JavaScript under Node.
NODE_DEPS := tests/node/node_modules/.package-lock.json

.PHONY: install demo test selfcheck test-python test-extension lint bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NODE_DEPS): tests/node/package.json
	cd tests/node && npm install --no-audit --no-fund

install: $(STAMP) $(NODE_DEPS)

# Scan the bundled example app. Findings are the point here, so exit code 1
# (findings reported) counts as success; 2 (usage/config error) does not.
demo: install
	@$(VENV)/bin/draftguard check examples/flask_app; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi

test: selfcheck test-python test-extension

# Our own product and the usual scanners on our own code, and our locked
# dependencies against known vulnerabilities (SECURITY.md). Zero findings
# allowed: draftguard itself at every severity, Bandit at high severity,
# ruff's flake8-bandit rules (S) except S101 (asserts that narrow types;
# Bandit rates them low). A deliberate pattern carries a narrow
# `# noqa: S...` / `# draftguard: ignore[...]` with its reason.
# The audit needs PyPI and fails when it cannot check every package.
selfcheck: install
	$(VENV)/bin/draftguard check server analyzers --no-progress
	$(VENV)/bin/bandit --quiet --recursive server analyzers -lll
	$(VENV)/bin/ruff check --no-cache --select S --ignore S101 server analyzers
	$(PY) scripts/audit_dependencies.py requirements.lock

test-python: install
	$(PY) -m pytest -q

# The VS Code extension: lint, type check, unit tests (the real-server ones use
# .venv's Python, hence `install`), then the .vsix. `npm ci` keeps it reproducible.
test-extension: install
	cd vscode-client && npm ci --no-audit --no-fund && npm run lint && npm run typecheck && \
	DRAFTGUARD_TEST_PYTHON=$(abspath $(PY)) npm test && npx vsce package --out dist/draftguard.vsix

bench: install
	$(PY) bench/keystroke.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache vscode-client/node_modules vscode-client/out vscode-client/dist
