"""Charts drawn as inline SVG by the server: no script, nothing fetched (the network is closed)."""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 34


def coefficient_chart(points, *, label: str, now_label: str) -> str:
    """A line of the coefficient (0–100 %) over ``points`` (objects with ``day`` and ``coefficient``)."""
    shown = [p for p in points if p.coefficient is not None]
    if not shown:
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(shown) - 1, 1)

    def y(ratio):
        return TOP + plot_h * (1 - ratio)

    grid = format_html_join("", '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d5ddd0"></line>'
                            '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#55604f">{} %</text>',
                            ((LEFT, WIDTH - RIGHT, _n(y(v / 100)), _n(y(v / 100)), LEFT - 6, _n(y(v / 100) + 3), v)
                             for v in (0, 25, 50, 75, 100)))
    coords = [(LEFT + index * step, y(p.coefficient)) for index, p in enumerate(shown)]
    line = " ".join(f"{_n(x)},{_n(yy)}" for x, yy in coords)
    marks = format_html_join(
        "", '<circle cx="{}" cy="{}" r="3.5" fill="#3f6b3b"><title>{}: {} %</title></circle>'
            '<text x="{}" y="{}" font-size="9" text-anchor="middle" fill="#1f2a1c">{}</text>'
            '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#55604f">{}</text>',
        ((_n(x), _n(yy), _day_label(p, now_label), number_format(p.coefficient * 100, 1), _n(x), _n(yy - 7),
          number_format(p.coefficient * 100, 1), _n(x), HEIGHT - BOTTOM + 16, _day_label(p, now_label))
         for (x, yy), p in zip(coords, shown, strict=True)))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}'
        '<polyline points="{}" fill="none" stroke="#3f6b3b" stroke-width="2"></polyline>{}</svg>',
        WIDTH, HEIGHT, label, grid, mark_safe(line), marks)


def _day_label(point, now_label: str) -> str:
    return now_label if point.day is None else str(point.day.year)


def _n(value: float) -> str:
    """A coordinate for SVG: a dot as decimal separator whatever the language."""
    return f"{value:.1f}"
