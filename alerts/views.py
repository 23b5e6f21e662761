"""Pages of the alert fan-out: HQ's alert pages, the ack links and the members' inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import apply_validation_error, run_action, save_form
from common.spreadsheets import csv_download
from organizations import permissions
from organizations.permissions import Action

from . import selectors, services, tokens
from .forms import AlertForm, AnswerForm
from .models import AckAnswer, AlertTarget


@login_required
def hq_alert_list(request):
    alerts = list(selectors.alerts_for_hq(user=request.user)[:200])
    return render(
        request,
        "alerts/alert_list.html",
        {
            "real": [a for a in alerts if not a.is_drill],
            "drills": [a for a in alerts if a.is_drill],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hq_alert_create(request):
    permissions.require(request.user, Action.RUN_HQ)
    form = AlertForm(request.POST or None)

    def send(form):
        data = form.cleaned_data
        return services.alert_send(
            actor=request.user,
            subject_ja=data["subject_ja"],
            subject_en=data["subject_en"],
            body_ja=data["body_ja"],
            body_en=data["body_en"],
            organizations=data["targets"],
            requires_ack=data["requires_ack"],
            deadline=data["deadline"],
            policy=data["policy"],
            is_drill=data["is_drill"],
            targeting=data["targeting"],
        )

    alert = save_form(
        request,
        form,
        send,
        success=lambda alert: (
            _("Alert sent to %(n)d organizations.") % {"n": len(form.cleaned_data["targets"])}
        ),
    )
    if alert:
        return redirect("hq_alert_detail", alert_id=alert.pk)
    return render(request, "alerts/alert_form.html", {"form": form})


@login_required
def hq_alert_detail(request, alert_id):
    alert = selectors.alert_for_hq(user=request.user, alert_id=alert_id)
    rows, totals = selectors.alert_progress(user=request.user, alert=alert)
    return render(
        request,
        "alerts/alert_detail.html",
        {"alert": alert, "rows": rows, "totals": totals, "now": timezone.now()},
    )


@login_required
def hq_alert_organization(request, alert_id, code):
    alert = selectors.alert_for_hq(user=request.user, alert_id=alert_id)
    target = selectors.alert_target_for_hq(user=request.user, alert=alert, code=code)
    return render(
        request,
        "alerts/alert_organization.html",
        {
            "alert": alert,
            "target": target,
            "deliveries": selectors.alert_deliveries(user=request.user, alert=alert, target=target),
            "answers": target.answers.all(),
        },
    )


DELIVERY_COLUMNS = [
    "organization",
    "step",
    "round",
    "recipient",
    "channel",
    "address",
    "status",
    "attempts",
    "sent_at",
    "reason",
    "acknowledged_at",
    "answer",
    "late",
]


def _time(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _delivery_rows(user, alert):
    for d in selectors.alert_deliveries(user=user, alert=alert).iterator(2000):
        t = d.target
        yield [
            t.organization.code,
            d.step,
            d.resend_round,
            d.recipient,
            d.channel,
            d.address,
            d.status,
            d.attempts,
            _time(d.sent_at),
            d.last_error,
            _time(t.acknowledged_at),
            t.answer,
            "yes" if t.late else "",
        ]
    unreachable = alert.targets.filter(unreachable=True).select_related("organization")
    for t in unreachable.order_by("organization__code"):
        yield [t.organization.code, "", "", "", "", "", "unreachable"] + [""] * 6


@login_required
def hq_alert_csv(request, alert_id):
    alert = selectors.alert_for_hq(user=request.user, alert_id=alert_id)
    return csv_download(
        f"alert-{alert.pk}-deliveries.csv", DELIVERY_COLUMNS, _delivery_rows(request.user, alert)
    )


@login_required
@require_POST
def hq_alert_resend(request, alert_id):
    alert = selectors.alert_for_hq(user=request.user, alert_id=alert_id)
    count = services.alert_resend(actor=request.user, alert=alert)
    messages.success(
        request,
        _("Sent again: %(n)d messages to organizations that have not answered.") % {"n": count},
    )
    return redirect("hq_alert_detail", alert_id=alert.pk)


def _invalid(request, reason: str):
    return render(request, "alerts/alert_ack_invalid.html", {"reason": reason}, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])  # HEAD (link checkers, previews) records nothing
def alert_ack(request, token):
    """The link in each message: a GET only shows the alert; only a POST records an answer."""
    try:
        claim = tokens.read(token)
    except tokens.TokenExpired:
        return _invalid(request, _("This answer link has expired."))
    except tokens.TokenInvalid:
        return _invalid(request, _("This answer link is not valid. Copy the whole link."))
    target = (
        AlertTarget.objects.select_related("alert", "organization")
        .filter(pk=claim.target_id)
        .first()
    )
    contact = target.tree.contact(claim.contact_key) if target else None
    if contact is None:
        return _invalid(request, _("This answer link is not valid. Copy the whole link."))
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.alert_acknowledge_by_token(token=token, answer=form.cleaned_data["answer"])
            except (tokens.TokenExpired, tokens.TokenInvalid):
                return _invalid(request, _("This answer link has expired."))
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(request, _("Thank you. Your answer has been recorded."))
                return redirect("alert_ack", token=token)
        else:
            status = 400
    return render(
        request,
        "alerts/alert_ack.html",
        {
            "alert": target.alert,
            "target": target,
            "contact": contact,
            "form": form,
            "answers": AckAnswer.choices,
        },
        status=status,
    )


@login_required
def alert_inbox(request):
    targets = selectors.alert_targets_for_member(user=request.user)
    rows = [
        (t, permissions.can(request.user, Action.ACKNOWLEDGE_ALERT, t.organization))
        for t in targets
    ]
    return render(request, "alerts/alert_inbox.html", {"rows": rows, "answers": AckAnswer.choices})


@login_required
@require_POST
def alert_answer(request, target_id):
    target = selectors.alert_target_for_member(user=request.user, target_id=target_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the answers."))
        return redirect("alert_inbox")
    run_action(
        request,
        lambda: services.alert_acknowledge(
            actor=request.user, target=target, answer=form.cleaned_data["answer"]
        ),
        success=_("Your answer has been recorded."),
    )
    return redirect("alert_inbox")
