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

# JupyterLab gets kubelab's venv first on PATH (kubelab and its pinned kubectl) in its kernels and terminals (a
# plain shell, not a login shell that would reset PATH), and the kubeconfig the cluster's context went into.
CLUSTER_KUBECONFIG = $(BIN)/kubelab status --json | $(BIN)/python -c \
	'import json, sys; print(json.load(sys.stdin)["details"].get("kubeconfig") or "")' 2>/dev/null
lab: setup
	$(BIN)/kubelab up
	$(BIN)/kubelab doctor || true
	@kubeconfig=$$($(CLUSTER_KUBECONFIG)); \
	echo; echo "To use kubelab and its kubectl in a new terminal, run:"; \
	echo "    source $(abspath $(BIN))/activate"; \
	if [ -n "$$kubeconfig" ] && [ "$$kubeconfig" != "$${KUBECONFIG:-$$HOME/.kube/config}" ]; then \
	  echo "    export KUBECONFIG=$$kubeconfig"; export KUBECONFIG="$$kubeconfig"; fi; \
	echo "(or run $(abspath $(BIN))/kubelab directly)"; echo; \
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/ \
	  --ServerApp.terminado_settings='shell_command=["'"$${SHELL:-/bin/sh}"'"]' \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup system-packages cluster-binaries
	$(BIN)/lint-imports
	$(BIN)/pytest
