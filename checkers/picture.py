"""A picture of one namespace, drawn as SVG from its live objects.

Nodes are columns holding the namespace's pods, coloured (and marked) by state; Services sit below,
with lines to the pods their EndpointSlices point at (dashed while not ready); Ingress routes sit
at the bottom, with lines to their Service. ``draw`` is pure: objects in, SVG text out.
"""

from __future__ import annotations

from html import escape

from clusters.api import ApiError
from clusters.i18n import N_, _

from .kube import STUCK, container_statuses, waiting_reasons
from .view import ClusterView, condition

# state → (fill, stroke, symbol, legend); strokes are ≥ 4.5:1 on white, and the symbol says it without colour
STATES = {
    "ready": ("#dafbe1", "#1a7f37", "✓", N_("Running and Ready")),
    "pending": ("#fff8c5", "#9a6700", "◷", N_("Pending or not Ready")),
    "failed": ("#ffebe9", "#cf222e", "✗", N_("Failed or crashing")),
    "terminating": ("#eaeef2", "#57606a", "⊘", N_("Terminating")),
    "completed": ("#ddf4ff", "#0969da", "■", N_("Completed")),
}
SERVICE_COLOURS = ("#0969da", "#8250df", "#1b7c83", "#953800")
COLUMN, POD_H, SVC_H, ROUTE_H, MARGIN, GUTTER = 210, 34, 38, 26, 12, 18
FONT = 'font-family="sans-serif" font-size="12"'
NAME_CHARS = 24


def namespace_objects(view: ClusterView) -> dict:
    """The objects ``draw`` needs, read through the view; nodes come from the pods when they may not be listed."""
    objects = {"namespace": view.namespace}
    for kind in ("pods", "services", "endpointslices", "ingresses"):
        objects[kind] = view.list(kind)
    try:
        objects["nodes"] = view.list("nodes")
    except ApiError:
        objects["nodes"] = []
    return objects


def pod_state(pod: dict) -> str:
    """One of STATES for a raw pod."""
    status = pod.get("status") or {}
    if pod["metadata"].get("deletionTimestamp"):
        return "terminating"
    if status.get("phase") == "Succeeded":
        return "completed"
    if status.get("phase") == "Failed" or any(r in STUCK for r in waiting_reasons(pod)):
        return "failed"
    if status.get("phase") == "Running" and condition(pod, "Ready") == "True":
        return "ready"
    return "pending"


def draw(objects: dict) -> str:
    """The SVG picture of ``objects`` (``namespace`` and lists of ``nodes``, ``pods``, ``services``,
    ``endpointslices``, ``ingresses`` as raw JSON)."""
    pods = sorted(objects.get("pods") or [], key=_name)
    columns = _columns(objects.get("nodes") or [], pods)
    services = sorted(objects.get("services") or [], key=_name)
    routes = _routes(objects.get("ingresses") or [])
    width = 2 * MARGIN + COLUMN * max(len(columns), len(services), len(routes), 3)
    back: list[str] = []  # node columns, under the lines
    lines: list[str] = []
    out: list[str] = []  # boxes and labels, over the lines
    top = 40
    tallest = max((len(column_pods) for _node, column_pods in columns), default=0)
    nodes_bottom = top + 26 + max(tallest, 1) * (POD_H + 8)
    anchors = {}  # pod name → (left x, middle y, column gutter x)
    for index, (node, column_pods) in enumerate(columns):
        x = MARGIN + index * COLUMN
        back.append(f'<rect x="{x}" y="{top}" width="{COLUMN - 8}" height="{nodes_bottom - top}" rx="6" '
                    f'fill="#f6f8fa" stroke="#d0d7de"/>')
        label = node or _("(not scheduled)")
        out.append(f'<g class="node"><title>{escape(label)}</title>'
                   f'{_text(x + 8, top + 17, _truncate(label), bold=True, prefix="▣ " if node else "")}</g>')
        for row, pod in enumerate(column_pods):
            y = top + 26 + row * (POD_H + 8)
            out.append(_pod(pod, x + GUTTER, y))
            anchors[_name(pod)] = (x + GUTTER, y + POD_H / 2, x + 4)
    y = nodes_bottom + 12 + 6 * len(services)
    service_boxes = {}
    if services:
        out.append(_text(MARGIN, y + 4, _("Services"), bold=True))
        y += 12
    for index, service in enumerate(services):
        x = MARGIN + index * COLUMN
        colour = SERVICE_COLOURS[index % len(SERVICE_COLOURS)]
        service_boxes[_name(service)] = (x + (COLUMN - 8) / 2, y + SVC_H)
        out.append(_service(service, x, y, colour))
        for pod_name, ready in _endpoints(service, objects.get("endpointslices") or [], pods):
            if pod_name in anchors:
                left, middle, gutter = anchors[pod_name]
                bus, lane = nodes_bottom + 8 + 6 * index, gutter + 3 * (index % 4)
                points = [(x + (COLUMN - 8) / 2, y), (x + (COLUMN - 8) / 2, bus), (lane, bus), (lane, middle),
                          (left, middle)]
                lines.append(_line(points, colour, ready))
    if services:
        y += SVC_H
    if routes:
        y += 40
        out.append(_text(MARGIN, y - 8, _("Ingress routes"), bold=True))
    for index, (label, service_name) in enumerate(routes):
        x = MARGIN + index * COLUMN
        out.append(f'<g class="route"><title>{escape(label)} → {escape(service_name)}</title>'
                   f'<rect x="{x}" y="{y}" width="{COLUMN - 8}" height="{ROUTE_H}" rx="4" fill="#ffffff" '
                   f'stroke="#57606a"/>{_text(x + 6, y + 17, _truncate(label + " → " + service_name))}</g>')
        if service_name in service_boxes:
            lines.append(_line([(x + (COLUMN - 8) / 2, y), service_boxes[service_name]], "#57606a", True))
    if routes:
        y += ROUTE_H
    if not pods and not services and not routes:
        y += 24
        out.append(_text(MARGIN, y, _("Namespace {namespace} has no pods, services or ingresses yet.",
                                       namespace=objects.get("namespace", ""))))
    y += 28
    out.append(_legend(y))
    height = y + 30
    title = _text(MARGIN, 22, _("Namespace {namespace}", namespace=objects.get("namespace", "")), bold=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" {FONT} role="img">'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{title}{"".join(back + lines + out)}</svg>')


def _columns(nodes: list[dict], pods: list[dict]) -> list[tuple[str, list[dict]]]:
    """(node name, its pods) for every node and every node a pod names; "" holds the unscheduled pods."""
    names = sorted({_name(n) for n in nodes} | {_node_of(p) for p in pods} - {""})
    if any(not _node_of(p) for p in pods):
        names.append("")
    return [(name, [p for p in pods if _node_of(p) == name]) for name in names]


def _routes(ingresses: list[dict]) -> list[tuple[str, str]]:
    """(host/path, service name) of every Ingress rule and default backend."""
    found = []
    for ingress in sorted(ingresses, key=_name):
        spec = ingress.get("spec") or {}
        default = ((spec.get("defaultBackend") or {}).get("service") or {}).get("name")
        if default:
            found.append(("*", default))
        for rule in spec.get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                service = ((path.get("backend") or {}).get("service") or {}).get("name")
                if service:
                    found.append((f"{rule.get('host') or '*'}{path.get('path') or '/'}", service))
    return found


def _endpoints(service: dict, slices: list[dict], pods: list[dict]) -> list[tuple[str, bool]]:
    """(pod name, ready) for each endpoint of ``service``, matched by targetRef, else by pod IP."""
    by_ip = {ip.get("ip"): _name(p) for p in pods for ip in (p.get("status") or {}).get("podIPs") or []}
    by_ip.update({(p.get("status") or {}).get("podIP"): _name(p) for p in pods})
    found = []
    for endpoint_slice in slices:
        if (endpoint_slice["metadata"].get("labels") or {}).get("kubernetes.io/service-name") != _name(service):
            continue
        for endpoint in endpoint_slice.get("endpoints") or []:
            ref = endpoint.get("targetRef") or {}
            name = ref.get("name") if ref.get("kind") == "Pod" else None
            name = name or next((by_ip[a] for a in endpoint.get("addresses") or [] if a in by_ip), None)
            if name:
                found.append((name, (endpoint.get("conditions") or {}).get("ready") is not False))
    return found


def _pod(pod: dict, x: float, y: float) -> str:
    state = pod_state(pod)
    fill, stroke, symbol, _label = STATES[state]
    statuses = container_statuses(pod)
    phase = (pod.get("status") or {}).get("phase", "Unknown")
    reason = next(iter(waiting_reasons(pod)), "")
    shown = _(STATES[state][3]) if state == "terminating" else reason or phase
    detail = f"{shown} {sum(1 for s in statuses if s.get('ready'))}/{len(statuses)}"
    return (f'<g class="pod {state}"><title>{escape(_name(pod))}: {escape(detail)}</title>'
            f'<rect x="{x}" y="{y}" width="{COLUMN - 8 - GUTTER - 4}" height="{POD_H}" rx="4" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
            f"{_text(x + 6, y + 14, _truncate(_name(pod)), prefix=symbol + ' ', colour=stroke, bold=True)}"
            f'{_text(x + 6, y + 28, detail, size=10, colour="#57606a")}</g>')


def _service(service: dict, x: float, y: float, colour: str) -> str:
    spec = service.get("spec") or {}
    ports = ", ".join(f"{p.get('port')}→{p.get('targetPort', p.get('port'))}" for p in spec.get("ports") or [])
    detail = f"{spec.get('type', 'ClusterIP')} {ports}".strip()
    return (f'<g class="service"><title>{escape(_name(service))}: {escape(detail)}</title>'
            f'<rect x="{x}" y="{y}" width="{COLUMN - 8}" height="{SVC_H}" rx="4" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="2"/>{_text(x + 6, y + 15, _truncate(_name(service)), prefix="⇄ ", bold=True)}'
            f'{_text(x + 6, y + 30, _truncate(detail, NAME_CHARS + 6), size=10, colour="#57606a")}</g>')


def _legend(y: float) -> str:
    items = []
    for index, (fill, stroke, symbol, label) in enumerate(STATES.values()):
        x = MARGIN + (index % 3) * COLUMN
        row = y + (index // 3) * 18
        items.append(f'<rect x="{x}" y="{row - 11}" width="14" height="14" rx="2" fill="{fill}" stroke="{stroke}"/>'
                     f"{_text(x + 20, row, _(label), prefix=symbol + ' ', size=11)}")
    return f'<g class="legend">{"".join(items)}</g>'


def _line(points: list[tuple[float, float]], colour: str, ready: bool) -> str:
    dash = "" if ready else ' stroke-dasharray="5 4"'
    coords = " ".join(f"{x:g},{y:g}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>'


def _text(x: float, y: float, text: str, *, prefix: str = "", bold: bool = False, size: int = 12,
          colour: str = "#1f2328") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{colour}"{weight}>{escape(prefix + text)}</text>'


def _truncate(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(obj: dict) -> str:
    return obj["metadata"].get("name", "")


def _node_of(pod: dict) -> str:
    return (pod.get("spec") or {}).get("nodeName") or ""
