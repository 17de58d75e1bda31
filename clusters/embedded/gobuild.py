"""Build the embedded cluster's components from Go modules (the fallback that always works here).

``k8s.io/kubernetes`` cannot be ``go install``-ed: its go.mod requires every
staging module at ``v0.0.0``. A wrapper module gets the upstream go.mod from
the proxy and adds one replace per staging module (``k8s.io/api`` →
``v0.36.4``), generated, never hard-coded. etcd needs a wrapper module too (its
go.mod has replaces); KWOK installs as is. Each component builds in its own
module so minimal version selection never mixes their dependencies.
Module and build caches live under the kubelab cache; logs under ``<cache>/logs``.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..base import Progress
from ..errors import BinariesUnavailable, BuildFailed
from ..i18n import _
from .components import Component, cache_root

K8S_CMDS = {
    "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
    "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
    "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
    "kubectl": "k8s.io/kubernetes/cmd/kubectl",
    "kubelet": "k8s.io/kubernetes/cmd/kubelet",
    "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy",
}
PAUSE_SOURCE = Path(__file__).with_name("pause") / "main.go"


def go_env() -> dict[str, str]:
    """The environment for every go command: caches outside the repo, static binaries."""
    root = cache_root() / "go"
    return {
        **os.environ,
        "GOMODCACHE": str(root / "mod"),
        "GOCACHE": str(root / "build"),
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "auto"),
    }


def build(component: Component, progress: Progress) -> None:
    """Build ``component`` into its cache folder, or raise with the log's path."""
    if shutil.which("go") is None:
        raise BinariesUnavailable(_("Go is not installed, so {name} cannot be built from source.", name=component.name))
    log = cache_root() / "logs" / f"build-{component.name}-{component.version}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    workdir = component.home() / "src"
    workdir.mkdir(parents=True, exist_ok=True)
    progress(_("Building {name} {version} from Go modules (several minutes the first time); log: {log}",
               name=component.name, version=component.version, log=log))
    staging = Path(tempfile.mkdtemp(prefix=".bin-", dir=component.home()))
    with open(log, "a") as out:
        builder = {"kubernetes": _build_kubernetes, "kubernetes-node": _build_kubernetes, "etcd": _build_etcd,
                   "kwok": _build_kwok, "coredns": _build_coredns, "pause": _build_pause,
                   "http-echo": _build_http_echo, "traefik": _build_traefik,
                   "local-path-provisioner": _build_local_path, "metrics-server": _build_metrics_server}[component.name]
        try:
            builder(component, _Runner(workdir, out, log, component, staging))
            component.bin_dir().mkdir(exist_ok=True)
            for binary in staging.iterdir():  # only whole binaries ever appear in bin/
                os.replace(binary, component.bin_dir() / binary.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


class _Runner:
    """Runs go commands in one working folder, logging everything, failing with the log's path."""

    def __init__(self, workdir: Path, out, log: Path, component: Component, bin_dir: Path):
        self.workdir, self.out, self.log, self.component = workdir, out, log, component
        self.bin_dir = bin_dir  # where go build writes; moved into the component's bin/ when all succeeded

    def __call__(self, *args: str) -> str:
        self.out.write(f"$ {' '.join(args)}\n")
        self.out.flush()
        proc = subprocess.run(args, cwd=self.workdir, env=go_env(), stdout=subprocess.PIPE,
                              stderr=self.out, text=True)
        self.out.write(proc.stdout)
        if proc.returncode != 0:
            raise BuildFailed(_("Building {name} failed at `{step}`; see {log}",
                                name=self.component.name, step=" ".join(args[:3]), log=self.log))
        return proc.stdout

    def init(self, module: str) -> None:
        if not (self.workdir / "go.mod").exists():
            self("go", "mod", "init", module)


def _ldflags(version: str) -> str:
    minor = version.split(".")[1]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    flags = ["-s", "-w"]
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [f"-X {pkg}.gitVersion={version}", f"-X {pkg}.gitMajor=1", f"-X {pkg}.gitMinor={minor}",
                  f"-X {pkg}.gitTreeState=clean", f"-X {pkg}.buildDate={date}"]
    return " ".join(flags)


def _build_kubernetes(component: Component, run: _Runner) -> None:
    version = component.version
    staging = "v0." + version.removeprefix("v1.")
    run.init("kubelab.local/k8s-cp-build")
    info = json.loads(run("go", "mod", "download", "-json", f"k8s.io/kubernetes@{version}"))
    if info.get("Error"):
        raise BuildFailed(_("The Go module proxy refused k8s.io/kubernetes@{version}: {error}",
                            version=version, error=info["Error"]))
    upstream = json.loads(run("go", "mod", "edit", "-json", info["GoMod"]))
    for rep in upstream.get("Replace") or []:
        if rep["New"]["Path"].startswith("./staging/"):
            run("go", "mod", "edit", f"-replace={rep['Old']['Path']}={rep['Old']['Path']}@{staging}")
    for debug in upstream.get("Godebug") or []:
        run("go", "mod", "edit", f"-godebug={debug['Key']}={debug['Value']}")
    packages = [K8S_CMDS[b] for b in component.binaries]
    run("go", "get", *(f"{pkg}@{version}" for pkg in packages))
    run("go", "build", "-trimpath", "-ldflags", _ldflags(version), "-o", f"{run.bin_dir}/", *packages)


def _build_module(component: Component, run: _Runner, module: str, package: str | None = None) -> None:
    """A main package of one module, in its own wrapper module (its go.mod may have replaces)."""
    run.init(f"kubelab.local/{component.name}-build")
    run("go", "get", f"{module}@{component.version}")
    run("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(run.bin_dir / component.binaries[0]),
        package or module)


def _build_etcd(component: Component, run: _Runner) -> None:
    _build_module(component, run, "go.etcd.io/etcd/server/v3")


def _build_kwok(component: Component, run: _Runner) -> None:
    run.init("kubelab.local/kwok-build")
    run("go", "get", f"sigs.k8s.io/kwok@{component.version}")
    run("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(run.bin_dir / "kwok"),
        "sigs.k8s.io/kwok/cmd/kwok")
    module = Path(run("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/kwok").strip())
    for stage, target in zip(component.stages, component.stage_paths()):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module / "kustomize" / "stage" / stage, target)


def _build_coredns(component: Component, run: _Runner) -> None:
    _build_module(component, run, "github.com/coredns/coredns")


def _build_http_echo(component: Component, run: _Runner) -> None:
    _build_module(component, run, "github.com/hashicorp/http-echo")


def _build_local_path(component: Component, run: _Runner) -> None:
    _build_module(component, run, "github.com/rancher/local-path-provisioner")


def _build_metrics_server(component: Component, run: _Runner) -> None:
    _build_module(component, run, "sigs.k8s.io/metrics-server", "sigs.k8s.io/metrics-server/cmd/metrics-server")


def _build_pause(component: Component, run: _Runner) -> None:
    """Our own pause program: one static Go file with no dependencies."""
    run.init("kubelab.local/pause")
    shutil.copyfile(PAUSE_SOURCE, run.workdir / "main.go")
    run("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(run.bin_dir / "pause"), ".")


def _build_traefik(component: Component, run: _Runner) -> None:
    """Traefik builds inside a copy of its own module: its go.mod replaces forks of some dependencies, which a
    wrapper module would not apply (and the module zip carries the web UI's built files)."""
    module = "github.com/traefik/traefik/v3"
    info = json.loads(run("go", "mod", "download", "-json", f"{module}@{component.version}"))
    source = run.workdir / "traefik"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(info["Dir"], source)
    for folder, _dirs, files in os.walk(source):  # the module cache is read-only; go may update go.sum
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    flags = f"-s -w -X {module}/pkg/version.Version={component.version}"
    run("go", "-C", str(source), "build", "-trimpath", "-ldflags", flags, "-o",
        str(run.bin_dir / "traefik"), "./cmd/traefik")
