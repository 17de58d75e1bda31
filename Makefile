# The two set-up commands of the README. Both work on a fresh machine.
#   make lab    set up, bring up a cluster (minikube if installed, else the embedded one), open JupyterLab
#   make test   set up, fetch or build the cluster binaries, run every test
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: lab test setup cluster-binaries system-packages

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[lab,test,docs]'
	touch $@

cluster-binaries: setup
	$(BIN)/python -m clusters.embedded.binaries

SYSTEM_PACKAGES ?= nginx-light vsftpd influxdb chromium fonts-noto-color-emoji
system-packages:
	bash .ci/system-packages $(SYSTEM_PACKAGES)

lab: setup
	$(BIN)/kubelab up
	$(BIN)/kubelab doctor || true
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup system-packages cluster-binaries
	$(BIN)/lint-imports
	$(BIN)/pytest
