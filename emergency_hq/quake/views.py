"""The HQ confirms or rejects a criterion that the earthquake feed marked met."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..incidents import selectors as incident_selectors
from . import marks, selectors


def _decide(request, incident_id, mark_id, service, done: str):
    incident = incident_selectors.incident_for_hq(user=request.user, incident_id=incident_id)
    mark = selectors.mark_for_hq(user=request.user, incident=incident, mark_id=mark_id)
    try:
        service(actor=request.user, mark=mark, note=request.POST.get("note", "")[:300])
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("hq_incident_detail", incident_id=incident.pk)


@login_required
@require_POST
def hq_mark_confirm(request, incident_id, mark_id):
    return _decide(
        request,
        incident_id,
        mark_id,
        marks.criterion_mark_confirm,
        _("Confirmed: the criterion is declared met by the HQ."),
    )


@login_required
@require_POST
def hq_mark_reject(request, incident_id, mark_id):
    return _decide(
        request,
        incident_id,
        mark_id,
        marks.criterion_mark_reject,
        _("Rejected: the criterion is declared not met by the HQ."),
    )
