# The two set-up commands of the README. Both work on a fresh machine.
#   make lab    set up, bring up a cluster (minikube if installed, else the embedded one), open JupyterLab
#   make test   set up, fetch or build the cluster binaries, run every test
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: lab test setup cluster-binaries real-node system-packages

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[lab,test,docs]'
	touch $@

cluster-binaries: setup
	$(BIN)/python -m clusters.embedded.binaries

# kubelet, kube-proxy, CoreDNS and our pause program, then the course's images (root and Linux only;
# elsewhere the real-node tests say why they skip)
real-node: setup system-packages
	$(BIN)/python -m clusters.embedded.binaries --node
	$(BIN)/kubelab images build || echo "the images were not built; the real-node tests will skip" >&2

# the test servers and browser, then the real node's runtime (containerd, runc, CNI, netfilter) and image builder
SYSTEM_PACKAGES ?= nginx-light vsftpd influxdb chromium fonts-noto-color-emoji \
	containerd runc containernetworking-plugins nftables iptables conntrack mmdebstrap
system-packages:
	bash .ci/system-packages $(SYSTEM_PACKAGES)

lab: setup
	$(BIN)/kubelab up
	$(BIN)/kubelab doctor || true
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: setup system-packages cluster-binaries real-node
	$(BIN)/lint-imports
	$(BIN)/pytest
