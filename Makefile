# oreledger — `make demo` runs the platform with the demo province; `make test` runs the tests.
# Safe to rerun: each step only redoes what changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install demo federation-demo serve test test-fast lint format translations messages clean

install: $(VENV)/.installed node_modules/.installed translations

$(VENV)/.installed: pyproject.toml constraints.txt station/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	# The weighbridge station agent: its own package (station/README.md), tested with the rest.
	$(BIN)/python -m pip install --quiet -c constraints.txt -e station/
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled only when a catalogue changed: `make lint` and `make test` pass here every time
# (CI runs them side by side), and each compile starts Django.
PO_FILES := $(shell find src/oreledger -path '*/locale/*/LC_MESSAGES/*.po')
translations: $(PO_FILES:.po=.mo)

$(PO_FILES:.po=.mo) &: $(PO_FILES) $(VENV)/.installed
	$(BIN)/oreledger compile-translations --verbosity 0

demo: install
	$(BIN)/oreledger demo

# A provincial hub and the Haicheng and Dashiqiao nodes on ports 8100-8102 (DATABASE_URL, if
# set, is the hub's database; the nodes use SQLite); Ctrl-C stops all.
federation-demo: install
	$(BIN)/oreledger federation-demo

serve: install
	$(BIN)/oreledger serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/oreledger makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the zh-Hans catalogues of every app after changing translatable strings.
messages: install
	for app in src/oreledger/*/; do \
	  if [ -d "$$app/templates" ] || ls $$app*.py >/dev/null 2>&1; then \
	    (cd $$app && mkdir -p locale && OL_VAR_DIR=$${TMPDIR:-/tmp}/ol-messages ../../../$(BIN)/oreledger makemessages -l zh_Hans --no-obsolete --no-location >/dev/null); \
	  fi; \
	done

clean:
	rm -rf $(VENV) node_modules var
