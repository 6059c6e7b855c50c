"""Questions per day as an SVG bar chart, drawn on the server (no chart code in the page)."""

from __future__ import annotations

from xml.sax.saxutils import escape

__all__ = ["bar_chart"]


def bar_chart(per_day: dict[str, int], width: int = 720, height: int = 220) -> str:
    days = list(per_day.items())
    top = max([count for _, count in days] + [1])
    left, bottom, pad = 40, 30, 10
    inner_w, inner_h = width - left - pad, height - bottom - pad
    step = inner_w / max(len(days), 1)
    bars = []
    for i, (day, count) in enumerate(days):
        bar_h = inner_h * count / top
        x = left + i * step + step * 0.15
        y = pad + inner_h - bar_h
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="#1d3557">'
            f"<title>{escape(day)}: {count}</title></rect>"
        )
        if len(days) <= 31 and (len(days) <= 10 or i % max(len(days) // 10, 1) == 0):
            bars.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - 12}" font-size="10" text-anchor="middle">'
                f"{escape(day[5:])}</text>"
            )
    axis = (
        f'<line x1="{left}" y1="{pad + inner_h}" x2="{width - pad}" y2="{pad + inner_h}" stroke="#888"/>'
        f'<text x="{left - 6}" y="{pad + 10}" font-size="10" text-anchor="end">{top}</text>'
        f'<text x="{left - 6}" y="{pad + inner_h}" font-size="10" text-anchor="end">0</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Questions per day">{axis}{"".join(bars)}</svg>'
    )
