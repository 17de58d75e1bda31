# The two set-up commands of the README. Both work on a fresh machine.
#   make lab    set up, build the notebooks, copy them into your workspace, bring up a cluster (minikube if
#               installed, else the embedded one), open JupyterLab on the workspace
#   make test   set up, fetch or build the cluster binaries, run every test
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

# Installs are reproducible: every dependency comes from uv.lock, through uv, which itself lives in the user's
# cache (outside the repo). After changing dependencies in pyproject.toml run `make lock`; to move to newer
# versions within pyproject's ranges run `make lock-upgrade`. `uv sync --locked` refuses a lock that no longer
# matches pyproject.toml, so a forgotten `make lock` fails set-up and CI.
UV_VERSION := 0.13.9
TOOLS := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kubelab/tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: lab notebooks test setup lock lock-upgrade cluster-binaries real-node hub-tools system-packages

setup: $(VENV)/.installed

$(TOOLS)/.uv-$(UV_VERSION):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)
	touch $@

$(VENV)/.installed: pyproject.toml uv.lock $(TOOLS)/.uv-$(UV_VERSION)
	$(UV) sync --locked --all-extras --python $(PYTHON)
	touch $@

lock: $(TOOLS)/.uv-$(UV_VERSION)
	$(UV) lock

lock-upgrade: $(TOOLS)/.uv-$(UV_VERSION)
	$(UV) lock --upgrade

cluster-binaries: setup
	$(BIN)/python -m clusters.embedded.binaries

# kubelet, kube-proxy, CoreDNS and our pause program, then the course's images (root and Linux only;
# elsewhere the real-node tests say why they skip)
real-node: setup system-packages
	$(BIN)/python -m clusters.embedded.binaries --node || echo "some node binaries were not built; the real-node tests say why they skip" >&2
	$(BIN)/kubelab images build || echo "the images were not built; the real-node tests will skip" >&2

# A real JupyterHub for tests/test_jupyterhub_e2e.py: configurable-http-proxy from npm (pinned, with its lock in
# .ci/proxy) into the tools folder, and the course image (the single-user server) for the real node
CHP := $(TOOLS)/proxy/node_modules/.bin/configurable-http-proxy
hub-tools: setup
	mkdir -p $(TOOLS)/proxy
	cp .ci/proxy/package.json .ci/proxy/package-lock.json $(TOOLS)/proxy/
	cd $(TOOLS)/proxy && npm ci --ignore-scripts --omit=dev --no-audit --no-fund || echo "configurable-http-proxy was not installed; the JupyterHub test will skip" >&2
	$(BIN)/kubelab images build course || echo "the course image was not built; the JupyterHub test will skip" >&2

# the test servers and browser, then the real node's runtime (containerd, runc, CNI, netfilter) and image builder
SYSTEM_PACKAGES ?= nginx-light vsftpd influxdb chromium fonts-noto-color-emoji \
	containerd runc containernetworking-plugins nftables iptables conntrack mmdebstrap buildah
system-packages:
	bash .ci/system-packages $(SYSTEM_PACKAGES)

# JupyterLab gets kubelab's venv first on PATH (kubelab and its pinned kubectl) in its kernels and terminals (a
# plain shell, not a login shell that would reset PATH), and the kubeconfig the cluster's context went into.
CLUSTER_KUBECONFIG = $(BIN)/kubelab status --json | $(BIN)/python -c \
	'import json, sys; print(json.load(sys.stdin)["details"].get("kubeconfig") or "")' 2>/dev/null
# The notebooks are build output (the checkout's git-ignored notebooks/, from labs/*/lesson.py and the catalogs);
# JupyterLab opens the learner's workspace, whose notebooks/ holds copies (`kubelab notebooks`: a notebook the
# learner changed is never overwritten), so working in them never changes the checkout.
WORKSPACE = $(BIN)/python -c 'from checkers.workspace import default_workspace; print(default_workspace())'
notebooks: setup
	$(BIN)/kubelab build --notebooks-only

lab: notebooks
	$(BIN)/kubelab notebooks
	$(BIN)/kubelab up
	$(BIN)/kubelab doctor || true
	@kubeconfig=$$($(CLUSTER_KUBECONFIG)); \
	echo; echo "To use kubelab and its kubectl in a new terminal, run:"; \
	echo "    source $(abspath $(BIN))/activate"; \
	if [ -n "$$kubeconfig" ] && [ "$$kubeconfig" != "$${KUBECONFIG:-$$HOME/.kube/config}" ]; then \
	  echo "    export KUBECONFIG=$$kubeconfig"; export KUBECONFIG="$$kubeconfig"; fi; \
	echo "(or run $(abspath $(BIN))/kubelab directly)"; echo; \
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab "$$($(WORKSPACE))" \
	  --ServerApp.terminado_settings='shell_command=["'"$${SHELL:-/bin/sh}"'"]' \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The notebooks first: the docs and JupyterLab tests read them; `kubelab build --check` (tests/test_build.py)
# still fails on stale catalogs. Then three parts at the same time (.ci/parts), each with its own clusters: the
# tests mostly wait on their clusters (each part used well under one of two cores when measured, issue #12), so
# together they take about as long as the longest one:
#   labs       every lab's self-tests and the corpus of answers (tests/test_labs.py, tests/test_corpus.py) on a
#              KWOK-only cluster;
#   kwok       the rest of tests/ on a KWOK-only cluster, without the tests that take the machine's one real node,
#              then nbval of the translations on another: they run their setup and check cells, whose feedback is
#              what a translation changes (tests/notebook_plugin.py);
#   real-node  those tests (tests/test_real_node.py and tests/test_jupyterhub_e2e.py start their own clusters with
#              it), then nbval of the English notebooks on a cluster with the real node (KUBELAB_REAL_NODES=1):
#              their data-plane cells run for real.
# Every command of every part always runs; any failing fails the target. Each part writes its log to
# $(TEST_LOGS)/<part>.log (follow it with tail -f), printed whole when all are done; each pytest session ends
# with its slowest tests (PYTEST_REPORT), so the record shows where the time goes.
REAL_NODE_TESTS ?= tests/test_real_node.py tests/test_jupyterhub_e2e.py
LAB_TESTS ?= tests/test_labs.py tests/test_corpus.py
KWOK_TESTS ?= tests $(REAL_NODE_TESTS:%=--ignore=%) $(LAB_TESTS:%=--ignore=%)
ENGLISH_NOTEBOOKS ?= notebooks/en
TRANSLATED_NOTEBOOKS ?= notebooks --ignore=$(ENGLISH_NOTEBOOKS)
TEST_LOGS ?= test-artifacts/make-test
PYTEST_REPORT ?= --durations=40
test: setup system-packages cluster-binaries real-node hub-tools notebooks
	$(UV) lock --check
	$(BIN)/lint-imports
	$(BIN)/python .ci/parts $(TEST_LOGS) "labs=$(BIN)/pytest $(LAB_TESTS) $(PYTEST_REPORT)" \
	  "kwok=$(BIN)/pytest $(KWOK_TESTS) $(PYTEST_REPORT);;$(BIN)/pytest $(TRANSLATED_NOTEBOOKS) $(PYTEST_REPORT)" \
	  "real-node=$(BIN)/pytest $(REAL_NODE_TESTS) $(PYTEST_REPORT);;KUBELAB_REAL_NODES=1 $(BIN)/pytest $(ENGLISH_NOTEBOOKS) $(PYTEST_REPORT)"
