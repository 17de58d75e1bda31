"""`kubelab node nft`: what kube-proxy wrote on the embedded cluster's real node, read-only."""

from __future__ import annotations

import os

import typer

from clusters.embedded import EmbeddedBackend, proxyrules, realnode
from clusters.errors import ClusterNotRunning, UsageError
from clusters.i18n import N_, _

from .output import console

app = typer.Typer(no_args_is_help=True, help=N_("Look inside the embedded cluster's real node."))


@app.command("nft", help=N_("Print the nftables rules kube-proxy wrote on the real node: all of them, or those of "
                            "one Service (read-only)."))
def nft(
    service: str = typer.Argument(None, help=N_("A Service's name; without it, the whole table.")),
    namespace: str = typer.Option("default", "--namespace", "-n", help=N_("The Service's namespace.")),
) -> int:
    node = realnode.details(EmbeddedBackend().home)
    if not (node and node["running"]):
        raise ClusterNotRunning(_("No real node of kubelab's embedded cluster is running here. On minikube, read the "
                                  "rules in the node: `minikube ssh -- sudo nft list table ip kube-proxy` (kube-proxy "
                                  "in nftables mode) or `minikube ssh -- sudo iptables-save -t nat` (iptables mode)."))
    if os.geteuid() != 0:
        raise ClusterNotRunning(_("Reading the kernel's rules needs root, like the real node itself: run `sudo "
                                  "kubelab node nft`."))
    text = proxyrules.table()
    if not text:
        raise ClusterNotRunning(_("kube-proxy has not written its table ip kube-proxy on the real node yet."))
    if service:
        text = proxyrules.for_service(text, namespace, service)
        if not text:
            raise UsageError(_("kube-proxy wrote no rules for Service {namespace}/{name}: check its name and "
                               "namespace with `kubectl get services -n {namespace}`.", namespace=namespace,
                               name=service))
    console.print(text, markup=False, highlight=False, end="", soft_wrap=True)
    return 0


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="node")
