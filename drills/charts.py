"""Charts of the after-action report as SVG drawn on the server by pygal.

They read without JavaScript, print, and go into the PDF as they are. pygal puts one inline
script into every chart for its optional interactive layer; it is removed, so the pages need
no script at all. Each chart is an ``<img>`` of a ``data:`` SVG, its title as the text
alternative: pygal styles the drawing with a ``<style>`` element, which the page's
Content-Security-Policy forbids inline in HTML but which applies inside an image.
"""

from __future__ import annotations

import base64
import re

import pygal
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_STYLE = Style(
    font_family='"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", sans-serif',
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    colors=("#1f5fa8", "#c2410c", "#15803d", "#7c3aed"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)


def _config(**extra) -> dict:
    return {
        "style": _STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 720,
        "height": 320,
        "show_dots": False,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        **extra,
    }


def _svg(chart) -> SafeString:
    # Rendered by pygal from our own numbers and labels (escaped by its XML writer).
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return format_html(
        '<img class="chart-svg" src="data:image/svg+xml;base64,{}" alt="{}" width="{}" '
        'height="{}">',
        base64.b64encode(svg.encode()).decode("ascii"),
        chart.config.title or "",
        chart.config.width,
        chart.config.height,
    )


def _percent(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0


def answers_curve(figures: dict) -> SafeString:
    """Share of participants that had acknowledged / reported, minute by minute."""
    total = figures["participants"]
    points = figures["curve"]
    chart = pygal.XY(
        **_config(
            title=_("Answers over time (cumulative, % of participants)"),
            x_title=_("Minutes from the start"),
            y_title="%",
            range=(0, 100),
            stroke_style={"width": 2},
        )
    )
    chart.add(
        _("Acknowledged the alert"),
        [(p["minute"], _percent(p["acknowledged"], total)) for p in points],
    )
    chart.add(
        _("First status report (第1報)"),
        [(p["minute"], _percent(p["reported"], total)) for p in points],
    )
    return _svg(chart)


def _band(band: dict) -> str:
    if band["to"] is None:
        return _("%(from)s min +") % {"from": band["from"]}
    return f"{band['from']}–{band['to']}"


def answers_histogram(figures: dict) -> SafeString:
    """How many participants acknowledged within each band of minutes."""
    chart = pygal.Bar(
        **_config(
            title=_("Time to acknowledge (participants per band of minutes)"),
            x_title=_("Minutes from the start"),
            y_title=pgettext("drill", "Participants"),
            show_legend=False,
            print_values=True,
        )
    )
    chart.x_labels = [_band(b) for b in figures["histogram"]]
    chart.add(_("Acknowledged"), [b["count"] for b in figures["histogram"]])
    return _svg(chart)


def trend(points) -> SafeString:
    """Median times (minutes) of each closed drill, oldest first."""
    chart = pygal.Line(
        **_config(
            title=_("Earlier drills: median minutes to acknowledge and to report"),
            y_title=_("Minutes"),
            show_dots=True,
            x_label_rotation=20,
        )
    )
    chart.x_labels = [p.started_at.strftime("%Y-%m-%d") if p.started_at else "—" for p in points]
    minutes = lambda s: round(s / 60, 1) if s is not None else None  # noqa: E731
    chart.add(_("Median time to acknowledge"), [minutes(p.p50_ack_s) for p in points])
    chart.add(_("Median time to the first report"), [minutes(p.p50_report_s) for p in points])
    return _svg(chart)
