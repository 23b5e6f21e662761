""" "All functions operating normally": asked again when a function is impaired (a plain page,
no JavaScript needed), and undone within a minute from the page that follows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .services import ReportInput
from .undo import UNDO_KEY, undo_offer
from .views import _drill_report, _report_kind_form, _reportable
from .vocabulary import is_impaired


def _impaired_cells(request, organization) -> list:
    row = next(
        iter(selectors.board_rows(user=request.user, everything=True, organization=organization)),
        None,
    )
    return [c for c in (row.cells if row else []) if is_impaired(c.status)]


@login_required
@require_POST
def status_all_normal(request, code):
    organization = _reportable(request, code)
    kind_form = _report_kind_form(request, organization, prefix="all-normal")
    if kind_form is not None:
        if not kind_form.is_valid():
            messages.error(request, " ".join(kind_form.errors["report_as"]))
            return redirect("status_report", code=organization.code)
        if kind_form.drill is not None:
            entries = [
                ReportInput(function=code, status="normal")
                for code in organization.organization_functions.values_list(
                    "function__code", flat=True
                )
            ]
            done = _drill_report(request, organization, kind_form.drill, entries)
            return done or redirect("status_report", code=organization.code)
    impaired = _impaired_cells(request, organization)
    if impaired and request.POST.get("confirm") != "yes":
        carried = [
            (key, value)
            for key, value in request.POST.items()
            if key not in ("csrfmiddlewaretoken", "confirm")
        ]
        return render(
            request,
            "status_board/all_normal_confirm.html",
            {"organization": organization, "impaired": impaired, "carried": carried},
        )
    try:
        reports = services.status_all_normal(actor=request.user, organization=organization)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("status_report", code=organization.code)
    replaced = [
        (r.pk, r.replaced[0], r.replaced[1] and r.replaced[1].isoformat())
        for r in reports
        if r.replaced
    ]
    request.session[UNDO_KEY] = {
        "organization": organization.code,
        "at": timezone.now().isoformat(),
        "replaced": replaced,
    }
    messages.success(
        request,
        _("All %(n)d functions reported as operating normally.")
        % {"n": organization.organization_functions.count()},
    )
    return redirect("status_report", code=organization.code)


@login_required
@require_POST
def status_all_normal_undo(request, code):
    organization = _reportable(request, code)
    offer = request.session.get(UNDO_KEY) if undo_offer(request, organization) else None
    if offer is None:
        messages.error(request, _("It is too late to undo; report the statuses again below."))
        return redirect("status_report", code=organization.code)
    restored = services.status_all_normal_undo(
        actor=request.user, organization=organization, replaced=offer["replaced"]
    )
    request.session.pop(UNDO_KEY, None)
    messages.success(
        request,
        _("Undone: the previous status of %(n)d functions is back on the board.")
        % {"n": len(restored)},
    )
    return redirect("status_report", code=organization.code)
