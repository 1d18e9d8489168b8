# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
# uv comes from PATH, or is installed with pip into .tools/ when the machine lacks it.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint install clean chromium

install: .venv/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode compiled at install: every run, the first included, then starts without compiling ~1,500
# modules (2 s a process here, where PYTHONDONTWRITEBYTECODE keeps Python from caching what it compiles).
.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

run: install
	$(UV) run --frozen --no-sync citeline run

# The browser test drives Debian's chromium (Playwright cannot download a browser here); as root,
# make test installs it when it is missing, so CI on a new machine runs that test too.
chromium:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "make: /usr/bin/chromium is missing and only root can install it (apt-get install -y chromium); the browser test will be skipped"

# The layers' contract (pyproject.toml [tool.importlinter]) and the linter first: a backward import or a
# pyflakes/bugbear finding fails the test run before any test starts.
lint: install
	$(UV) run --frozen --no-sync lint-imports
	$(UV) run --frozen --no-sync ruff check --no-cache .

# Two pytest-xdist workers, each with its own Prefect home and server (tests/conftest.py): a test file runs
# whole on one worker, and the files of one group (tests/conftest.py XDIST_GROUPS: timed tests; the demo
# warehouse's users) one after another on one worker. TEST_WORKERS=0 runs every test in this one process.
TEST_WORKERS ?= 2

test: install chromium lint
	$(UV) run --frozen --no-sync pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf .venv .tools data .pytest_cache
