# Belonging: the commands a new machine and CI use. `make run` and `make test` are all you need.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export FLASK_APP := wsgi

.PHONY: run serve install install-test migrate seed test test-fast browser-deps bench lint fmt vendor clean smoke

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

# The compiled translation catalogues (.mo, not committed), rebuilt whenever a .po file changes.
MO_STAMP := app/translations/.compiled
$(MO_STAMP): $(STAMP) $(wildcard app/translations/*/LC_MESSAGES/messages.po)
	$(FLASK) translations compile >/dev/null
	touch $@

install: $(STAMP) $(MO_STAMP) pdf-packages

## pdf-packages: the Debian packages PDFs need (deploy/pdf-packages.txt: the fonts for other
## scripts and HarfBuzz's subsetter), when any is missing; without them Arabic falls back to
## DejaVu Sans and WeasyPrint subsets fonts with the much slower fontTools
.PHONY: pdf-packages
pdf-packages:
	@missing="$$(for p in $$(grep -v '^\#' deploy/pdf-packages.txt); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'ok installed' || echo "$$p"; done)"; \
	[ -z "$$missing" ] || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "Installing the Debian packages PDFs need:" $$missing; \
		$$SUDO apt-get install -y -qq $$missing >/dev/null \
		|| echo "Could not install" $$missing": PDFs in Arabic script will use DejaVu Sans, and fonts are subset by the slower fontTools"; }

$(TEST_STAMP): $(STAMP) pyproject.toml tests/oidc/package-lock.json tests/pa11y/package-lock.json
	$(PIP) install --quiet -e '.[test]'
	@# The real OpenID provider the staff sign-in tests run (panva's oidc-provider, under Node)
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/oidc --no-audit --no-fund --silent; \
	else echo "npm not found: the OpenID sign-in tests will be skipped"; fi
	@# pa11y (HTML_CodeSniffer) beside axe; it drives Debian's /usr/bin/chromium, so no download
	@if command -v npm >/dev/null 2>&1; then PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/pa11y --no-audit --no-fund --silent; \
	else echo "npm not found: the pa11y checks will be skipped"; fi
	touch $@

install-test: $(TEST_STAMP) $(MO_STAMP) pdf-packages

## translations: re-extract the public pages' wording, regenerate the test languages, compile
.PHONY: translations
translations: install
	$(FLASK) translations extract
	$(FLASK) translations pseudo
	$(FLASK) translations compile


migrate: install
	$(FLASK) db upgrade heads

seed: migrate
	$(FLASK) demo seed

## run: set up everything on a fresh machine, load the demo data and serve on http://127.0.0.1:5000
## with the job consumer beside it (board packs, emails, reminders, texts); both stop together.
run: seed
	@$(FLASK) jobs worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

## browser-deps: Debian's Chromium for the browser tests (Playwright cannot download one here),
## and poppler-utils, with which the paper tests read PDFs back (pdftotext, pdffonts)
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdffonts >/dev/null 2>&1; then \
		echo "Installing Chromium and poppler-utils from Debian packages..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-liberation2 poppler-utils >/dev/null; \
	fi

## test: install what the tests need and run the whole suite (browser tests included)
test: install-test browser-deps
	$(VENV)/bin/pytest || [ $$? -eq 5 ]  # exit 5 = no tests collected, not a failure

## test-postgres: the same suite against a throwaway PostgreSQL server (started, then deleted)
.PHONY: test-postgres
test-postgres: install-test browser-deps
	bash scripts/pg-test-server.sh run $(VENV)/bin/pytest || [ $$? -eq 5 ]

## smoke: the production smoke test (tests/smoke): the Procfile's processes with
## BELONGING_ENV=production against a throwaway PostgreSQL and Debian's redis-server (installed
## when missing), one survey, texts through a fake Twilio, one board pack, then SIGTERM
.PHONY: smoke redis-server
smoke: install-test redis-server
	bash scripts/pg-test-server.sh run $(PY) -m tests.smoke

redis-server:
	@command -v redis-server >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "Installing redis-server from Debian packages..."; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

## test-at-night: the suite under a faked 23:30 London clock (Debian's faketime), to show that no
## test depends on the hour it runs (the suite's own clock is frozen at noon: see tests/conftest.py)
.PHONY: test-at-night
test-at-night: install-test browser-deps
	@command -v faketime >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y -qq faketime >/dev/null; }
	TZ=Europe/London faketime -f '@$(or $(AT),2026-12-01 23:30:00)' $(VENV)/bin/pytest || [ $$? -eq 5 ]

## bench: every benchmark on SQLite, then the hot public paths again on a throwaway PostgreSQL
bench: install-test
	$(VENV)/bin/pytest -m bench -s tests/bench
	bash scripts/pg-test-server.sh run $(VENV)/bin/pytest -m bench -s tests/bench/test_hotpaths_bench.py tests/bench/test_hotpaths_cpu_bench.py

## lint: ruff (style), import-linter (the layer contracts in pyproject.toml), mypy, hadolint
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/hadolint --config deploy/hadolint.yaml deploy/Dockerfile

fmt: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## vendor: refresh the vendored GOV.UK Frontend, htmx and the paper forms' font (versions pinned in the scripts)
vendor:
	bash scripts/vendor-assets.sh
	bash scripts/vendor-fonts.sh

clean:
	rm -rf $(VENV) instance .pytest_cache
