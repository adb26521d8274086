# Two commands for a fresh machine with Python 3.11+ and apt:
#   make site   create .venv, install, build the example publication into build/
#   make test   install test dependencies (Debian's chromium when missing) and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium poppler-utils fonts-noto-core

.PHONY: site test system-packages check serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

site: $(VENV)/.installed
	$(BIN)/incidentbook build

check: $(VENV)/.installed
	$(BIN)/incidentbook check

serve: $(VENV)/.installed
	$(BIN)/incidentbook serve

# Debian packages the browser and PDF tests need; installed only when missing.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

test: $(VENV)/.installed system-packages
	$(BIN)/python -m pytest -q

clean:
	rm -rf build
