"""The after-action report for the record: per-participant CSV/XLSX (through
common.spreadsheets, with its formula guard) and a PDF drawn by WeasyPrint.

The PDF is rendered from our own template with the charts as ``data:`` SVG images; WeasyPrint is
given a URL fetcher that reads ``data:`` URLs only and refuses any other (WeasyPrint logs a
warning and leaves it out), so a report never reaches out to the network or the disk.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from common.spreadsheets import csv_bytes, xlsx_bytes


def _header() -> list[str]:
    return [
        _("Code"),
        _("Organization"),
        _("Reached"),
        _("Unreachable"),
        _("Acknowledged at"),
        _("Seconds to acknowledge"),
        _("Acknowledged by"),
        _("Escalation step"),
        _("Acknowledged late"),
        _("First report at"),
        _("Seconds to the first report"),
        _("First report late"),
        _("Every function reported at"),
        _("Functions reported"),
        _("Functions held"),
        _("Injects acknowledged"),
        _("Injects asked"),
        _("Contacts that failed"),
    ]


def _when(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _rows(figures: dict):
    for r in figures["organizations"]:
        yield [
            r["code"],
            r["name_ja"],
            _yes(r["reachable"]),
            _yes(r["unreachable"]),
            _when(r["acknowledged_at"]),
            r["time_to_ack_s"],
            r["acknowledged_by"] or "",
            r["ack_step"],
            _yes(r["ack_late"]) if r["acknowledged_at"] else "",
            _when(r["first_report_at"]),
            r["time_to_report_s"],
            _yes(r["report_late"]) if r["first_report_at"] else "",
            _when(r["all_functions_at"]),
            r["functions_reported"],
            r["functions_total"],
            r["injects_acknowledged"],
            r["injects_asked"],
            "; ".join(f"{c['name']} <{c['address']}> {c['reason']}" for c in r["stale_contacts"]),
        ]


def results_csv(figures: dict) -> bytes:
    return csv_bytes(_header(), _rows(figures))


def results_xlsx(figures: dict) -> bytes:
    return xlsx_bytes(_header(), _rows(figures), title=_("Drill results"))


def results_pdf(context: dict, **options) -> bytes:
    """The printable after-action report as PDF (Japanese set in Noto Sans CJK); ``options``
    go to WeasyPrint's ``write_pdf``."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("drills/report_pdf.html", context)
    data_only = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    document = HTML(string=html, url_fetcher=data_only, base_url="about:blank")
    return document.write_pdf(**options)
