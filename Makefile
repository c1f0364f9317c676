# The two commands of the README: `make report` runs the whole assessment, `make test` the tests.
# Each uses the active virtual environment; else an active conda environment other than `base` (made
# from environment.yml, whose packages conda installed: only the project itself is added, --no-deps);
# else .venv here, created when missing. `base` is conda's own environment, often active in every
# shell: it is never installed into (activate `readmission`, or `conda deactivate` to use .venv).
SNAPSHOT ?= ../shared/data/snapshot
UV_VERSION := 0.13.9
PIP_VERSION := 26.3
YEARS ?= 2014 2015 2016
WORKERS ?=
ifdef VIRTUAL_ENV
ENV_PREFIX := $(VIRTUAL_ENV)
else ifneq ($(and $(CONDA_PREFIX),$(filter-out base,$(or $(CONDA_DEFAULT_ENV),env))),)
ENV_PREFIX := $(CONDA_PREFIX)
CONDA_ENV := 1
else
ENV_PREFIX := .venv
endif
PYTHON := $(ENV_PREFIX)/bin/python
STAMP := $(ENV_PREFIX)/.readmission-installed

.PHONY: report test test-fast lint install lock notebooks clean-outputs site-check

report: $(STAMP)
	$(PYTHON) -m readmission report --demo $(foreach y,$(YEARS),--year $(y)) --snapshot $(SNAPSHOT) $(if $(WORKERS),--workers $(WORKERS))

# With node and chromium on the machine, the browser check's npm part is installed (locked) first, so
# the real-render tests open the sites in Chromium too; without them those tests skip, saying why.
test: $(STAMP)
	@if command -v node >/dev/null && command -v chromium >/dev/null; then \
		npm ci --prefix tools/site-check --ignore-scripts --no-audit --no-fund --silent; fi
	$(PYTHON) -m pytest

# The fast tier alone (no kernel, Quarto or Chromium): the edit-test loop. `make test` runs everything.
test-fast: $(STAMP)
	$(PYTHON) -m pytest -m "not slow"

# ruff on the package, the notebook sources and the tests (also a test: tests/test_lint.py).
lint: $(STAMP)
	$(PYTHON) -m ruff check lib notebooks/*.py tests

install: $(STAMP)

# The notebook templates' .ipynb, written from their sources notebooks/*.py (run after editing one).
notebooks: $(STAMP)
	$(PYTHON) -m readmission.pages.notebook_sources

# The project's kernel, and nbconvert's settings for reading an executed notebook (README: Open a notebook).
# The package's bytecode is written once here: an editable install has none until a process imports a
# module, and where PYTHONDONTWRITEBYTECODE is set none is ever written, so each process of a run (the
# command, its workers, their kernels) compiled the sources again. A module edited later is compiled
# from its source as before (Python checks each .pyc against its source).
define ENV_SETUP
	$(PYTHON) -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(PYTHON) -m compileall -q lib/readmission >/dev/null
	mkdir -p $(ENV_PREFIX)/etc/jupyter && cp jupyter_nbconvert_config.json $(ENV_PREFIX)/etc/jupyter/
	@touch $(STAMP)
endef

ifdef CONDA_ENV
# conda installed every package at the version of requirements.lock (environment.yml pins them, and the
# build backend): the project itself only, from this folder, without the package index.
$(STAMP): pyproject.toml environment.yml jupyter_nbconvert_config.json
	@test -x $(PYTHON) || { echo "no Python in the conda environment $(ENV_PREFIX): conda env create -f environment.yml"; exit 2; }
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(ENV_SETUP)
else
# Every package at the version of requirements.lock, checked against its hashes; then the project itself.
$(STAMP): pyproject.toml requirements.lock jupyter_nbconvert_config.json
	@test -x $(PYTHON) || python3 -m venv .venv
	$(PYTHON) -m pip install --quiet pip==$(PIP_VERSION)
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements.lock
	$(PYTHON) -m pip install --quiet --no-deps -e .
	$(ENV_SETUP)
endif

# requirements.lock from pyproject.toml (with the test and lab extras), for Python 3.11 on Linux x86_64: run after
# changing a dependency (other pins are kept); `make lock UPGRADE=1` moves every package to its latest release.
lock:
	@test -x $(PYTHON) || python3 -m venv .venv
	$(PYTHON) -m pip install --quiet uv==$(UV_VERSION)
	$(PYTHON) -m uv pip compile pyproject.toml --extra test --extra lab --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) --quiet --output-file requirements.lock

# The rendered sites in headless Chromium: no request to another host, no console error, 0 axe-core
# (WCAG 2.1 A/AA) violations, no table hiding columns at 1280 px, chart text of 9 px or more at 390 px.
# Needs node and Debian's chromium (apt-get install chromium); the npm part is locked in tools/site-check.
SITE_PAGES ?= index.html countries.html methodology.html audit.html notebooks/findings/2016.html notebooks/countries/2016/IQ.html
site-check:
	npm ci --prefix tools/site-check --ignore-scripts --no-audit --no-fund --silent
	node tools/site-check/check.mjs _site $(SITE_PAGES)
	@if [ -d data/restricted/out/_site ]; then node tools/site-check/check.mjs data/restricted/out/_site index.html candidates.html notebooks/countries/2016/IQ.html; fi

clean-outputs:
	rm -rf notebooks/*/ data/restricted/out
	rm -rf _site*/ .quarto  # apart: Quarto's output and state (dist/ keeps what was published)
