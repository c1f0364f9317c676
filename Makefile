# The two commands of the README: `make report` runs the whole assessment, `make test` the tests.
# Each uses the active virtual environment, or creates .venv here when none is active.
SNAPSHOT ?= ../shared/data/snapshot
YEAR ?= 2016
WORKERS ?=
ifdef VIRTUAL_ENV
PYTHON := $(VIRTUAL_ENV)/bin/python
STAMP := $(VIRTUAL_ENV)/.readmission-installed
else
PYTHON := .venv/bin/python
STAMP := .venv/.readmission-installed
endif

.PHONY: report test lint install notebooks clean-outputs

report: $(STAMP)
	$(PYTHON) -m readmission report --year $(YEAR) --snapshot $(SNAPSHOT) $(if $(WORKERS),--workers $(WORKERS))

test: $(STAMP)
	$(PYTHON) -m pytest

# ruff on the package, the notebook sources and the tests (also a test: tests/test_lint.py).
lint: $(STAMP)
	$(PYTHON) -m ruff check lib notebooks/*.py tests

install: $(STAMP)

# The notebook templates' .ipynb, written from their sources notebooks/*.py (run after editing one).
notebooks: $(STAMP)
	$(PYTHON) -m readmission.notebook_sources

$(STAMP): pyproject.toml
	@test -x $(PYTHON) || python3 -m venv .venv
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	$(PYTHON) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

clean-outputs:
	rm -rf notebooks/countries/*.ipynb notebooks/countries/*.json notebooks/countries/*.csv results logs _site .quarto
