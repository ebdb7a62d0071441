# Everything a fresh machine needs is installed here; targets are idempotent and
# fast when nothing changed (a stamp file records the last successful install).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
INDEX  ?= index
CORPUS ?=

.PHONY: install test serve bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: it resolves to the local CPU wheel; unpinned it pulls a multi-GB CUDA build.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

test: install
	# pytest exits 5 when it collects nothing; that is not a failure of the project.
	$(PY) -m pytest -q -rs; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
