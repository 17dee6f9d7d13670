# Two commands do all set-up on a fresh machine:
#   make sandbox   — bot + WeCom emulator + chat console on localhost (SQLite, no WeCom account)
#   make test      — the whole test suite (PostgreSQL tests run when 127.0.0.1:5432 answers)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: sandbox test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

sandbox: $(STAMP)
	$(BIN)/wanzi sandbox

test: $(STAMP)
	$(BIN)/python -m pytest -q -rs

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) *.egg-info sandbox.db*
