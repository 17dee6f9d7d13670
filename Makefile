# Two commands do all set-up on a fresh machine:
#   make sandbox   — bot + WeCom emulator + chat console on localhost (SQLite, no WeCom account)
#   make test      — the whole test suite (PostgreSQL tests run when 127.0.0.1:5432 answers)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: sandbox test test-speed lint bench install clean chromium screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

sandbox: $(STAMP)   # make sandbox CONFIG=config.toml: your shop's persona and knowledge base (README, Your own shop)
	$(BIN)/wanzi sandbox $(if $(CONFIG),--config $(CONFIG))

test: lint chromium
	$(BIN)/python -m pytest -q -rs

# The optional speed extra (uvloop, orjson: pip install 'wanzi[speed]') in a folder of its own beside the venv,
# so `make test` keeps testing the standard library's side and this target the extra's (README, Configuration).
SPEED  := .speed

test-speed: lint chromium
	$(BIN)/pip install --quiet --target $(SPEED) 'uvloop>=0.19' 'orjson>=3.9'
	PYTHONPATH=$(SPEED) $(BIN)/python -m pytest -q -rs

lint: $(STAMP)   # part of `make test`: the style and the types are checked like the behaviour
	$(BIN)/ruff check bot handlers persona storage emulator bench tests
	$(BIN)/mypy

# The console's browser tests drive the system's Chromium (Debian package), never a downloaded one.
# As root (CI) or with password-less sudo it is installed when missing; otherwise those tests are
# skipped and `-rs` says why. The CJK font makes the screenshots readable.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "note: no chromium and no apt-get: browser tests will be skipped"; \
	else SUDO=; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium \
	      fonts-wqy-microhei >/dev/null; } || echo "note: could not install chromium: browser tests will be skipped"; \
	fi

screenshots: $(STAMP) chromium   # docs/*.png for the README, taken by the browser tests
	WANZI_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/test_console_browser.py tests/test_console_actions_browser.py \
		tests/test_sidebar_browser.py tests/test_insights_browser.py

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(SPEED) *.egg-info sandbox.db* sandbox.toml sandbox.emulator.json*
