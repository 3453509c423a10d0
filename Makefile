# draftguard: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-python test-extension lint bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Scan the bundled example app. Findings are the point here, so exit code 1
# (findings reported) counts as success; 2 (usage/config error) does not.
demo: install
	@$(VENV)/bin/draftguard check examples/flask_app; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi

test: test-python

test-python: install
	$(PY) -m pytest -q

bench: install
	$(PY) bench/keystroke.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
