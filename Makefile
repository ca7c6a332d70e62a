# The two set-up commands: `make run` and `make test`. Each creates the environment itself.
SHELL := /bin/bash
UV_VERSION := 0.9.30
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install uv chromium lighthouse vnu lint migrations-check bench bench-import check-deploy

uv:
	@command -v uv >/dev/null 2>&1 || test -x $(HOME)/.local/bin/uv || \
		python3 -m pip install --user --quiet "uv==$(UV_VERSION)"

install: uv
	$(UV) sync --frozen --python python3.11

PORT ?= 8000

# The worker (e-mail and other background tasks, django-tasks' db_worker) runs beside the web
# server and is stopped with it, however the server ends (Ctrl+C included).
run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py reminders_start
	DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium drives the browser tests; Playwright's own browser download fails here.
chromium:
	@test -x /usr/bin/chromium || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Lighthouse (npm) for tests/browser/test_lighthouse.py, installed into .lighthouse/ (git-ignored);
# without npm the test is skipped and says why.
LIGHTHOUSE_VERSION := 12.8.2
lighthouse:
	@test -x .lighthouse/node_modules/.bin/lighthouse || { \
		if command -v npm >/dev/null 2>&1; then \
			npm install --no-audit --no-fund --silent --prefix .lighthouse \
				"lighthouse@$(LIGHTHOUSE_VERSION)"; \
		else echo "npm not found: the Lighthouse test will be skipped"; fi; }

# The W3C Nu HTML checker (npm's vnu-jar, run with the installed Java) for
# tests/test_valid_html.py, installed into .vnu/ (git-ignored); without npm or Java the test is
# skipped and says why.
VNU_VERSION := 26.9.27
vnu:
	@test -f .vnu/node_modules/vnu-jar/build/dist/vnu.jar || { \
		if command -v npm >/dev/null 2>&1; then \
			npm install --no-audit --no-fund --silent --prefix .vnu "vnu-jar@$(VNU_VERSION)"; \
		else echo "npm not found: the HTML validity test will be skipped"; fi; }

# The suite runs on every core (pytest-xdist: one process and one test database per core, tests
# handed out as the processes come free). `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
test: install chromium lighthouse vnu
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

migrations-check: install
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

check-deploy: install
	SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=clinic.example.com \
		CSRF_TRUSTED_ORIGINS=https://clinic.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/merge_bench.py
	$(PY) bench/fhir_api.py

bench-import: install
	$(PY) bench/import_bench.py $(BENCH_ARGS)
