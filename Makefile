# draftguard: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test-only npm packages for running original and fixed JavaScript under Node.
NODE_DEPS := tests/node/node_modules/.package-lock.json

.PHONY: install demo test test-python test-extension lint bench clean

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

test: test-python test-extension

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
