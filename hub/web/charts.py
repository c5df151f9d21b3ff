"""Charts drawn on the server as inline SVG: no script, no external asset, readable without colour."""
from __future__ import annotations

from markupsafe import Markup, escape


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000,
                 100000, 200000, 500000, 1000000):
        if value <= step * 4:
            return step * 4
    return value


def columns(points: list[tuple[str, int]], title: str, width: int = 760, height: int = 200,
            label_every: int = 5) -> Markup:
    """A column chart (e.g. returns per day) with a value axis and every n-th label."""
    left, bottom, top = 36, 22, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    top_value = _nice_max(max((v for _, v in points), default=0))
    n = max(len(points), 1)
    slot = plot_w / n
    bar = max(1.0, slot * 0.72)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top_value
        x = left + i * slot + (slot - bar) / 2
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        last_far_enough = i == n - 1 and (n - 1) % label_every >= max(1, label_every // 2)
        if i % label_every == 0 or last_far_enough:
            parts.append(f'<text class="axis" x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(items: list[tuple[str, int]], title: str, width: int = 360, row: int = 26) -> Markup:
    """Horizontal bars with the label above each bar and the value at its end (top reasons, SKUs)."""
    if not items:
        return Markup('<p class="muted">No data in this period.</p>')
    top_value = max(v for _, v in items) or 1
    height = row * len(items) + 4
    label_w = 0.45 * width
    plot_w = width - label_w - 44
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = i * row + 4
        w = max(1.0, plot_w * value / top_value)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text class="label" x="0" y="{y + 14}">{escape(short)}<title>{escape(label)}</title></text>'
                     f'<rect class="bar" x="{label_w:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 10}"/>'
                     f'<text class="value" x="{label_w + w + 6:.1f}" y="{y + 14}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
