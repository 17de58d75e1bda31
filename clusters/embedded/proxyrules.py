"""What kube-proxy wrote on the real node (nftables mode): ``nft list table ip kube-proxy``, read-only, whole or
cut down to one Service's chains and the map elements that lead to them."""

from __future__ import annotations

from . import nodehost

TABLE = ("ip", "kube-proxy")


def table() -> str:
    """The table as nft prints it ('' when kube-proxy has not written it, or nft cannot read it)."""
    return nodehost.run("nft", "list", "table", *TABLE)


def _blocks(text: str) -> tuple[str, list[list[str]]]:
    """The table's first line and its top-level blocks (a set, map or chain, or a one-line statement)."""
    lines = text.splitlines()
    blocks: list[list[str]] = []
    depth = 0
    for line in lines[1:-1]:
        if depth == 0:
            blocks.append([])
        blocks[-1].append(line)
        depth += line.count("{") - line.count("}")
    return (lines[0] if lines else ""), blocks


def for_service(text: str, namespace: str, name: str) -> str:
    """The parts of the table about Service ``namespace/name``: its chains whole, and of each map only the
    elements that send traffic to them. '' when there are none."""
    marks = (f"{namespace}/{name}/", f"{namespace}/{name}:")
    head, blocks = _blocks(text)
    kept = []
    for block in blocks:
        header = block[0].strip()
        if header.startswith("chain ") and any(m in header for m in marks):
            kept.append("\n".join(block))
        elif header.startswith("map "):
            body = " ".join(line.strip() for line in block[1:-1])
            if "elements = {" not in body:
                continue
            elements = body.split("elements = {", 1)[1].rsplit("}", 1)[0].split(",")
            mine = [e.strip() for e in elements if any(m in e for m in marks)]
            if mine:
                indent = "\t\t"
                kept.append(f"{block[0]}\n{indent}elements = {{ " + f",\n{indent}\t     ".join(mine) + " }\n\t}")
    return f"{head}\n" + "\n\n".join(kept) + "\n}\n" if kept else ""
