from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import run_action, save_form
from common.spreadsheets import csv_download
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action

from . import receipts, selectors, services
from .forms import CircularForm, CircularReviseForm, SearchForm, WithdrawForm

PAGE_SIZE = 30


def _login_first_when_hidden(view):
    """A visitor who is not logged in and finds no such circular (or file) is asked to log in
    and sent back: a member following a members-only link from an e-mail reaches it. Hidden
    and missing look the same (both lead to the login), so a visitor learns nothing; a
    logged-in user without access still gets the 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if request.user.is_authenticated:
                raise
            return redirect_to_login(request.get_full_path())

    return wrapped


def _managed(request, number: str):
    """The circular for its issuer: 404 when invisible, 403 when visible but not theirs."""
    circular = selectors.circular_get_visible(user=request.user, number=number)
    permissions.require(request.user, Action.MANAGE_CIRCULAR, circular.issuer_organization)
    return circular


def circular_list(request):
    member = permissions.is_member(request.user)
    visible = selectors.circulars_visible(user=request.user)
    issuers = Organization.objects.filter(
        pk__in=visible.filter(issuer_organization__isnull=False).values("issuer_organization")
    ).order_by("code")
    issuer_choices = [(selectors.MARKET_WIDE, _("Market-wide (BCP Forum secretariat)"))] + [
        (org.code, org.name) for org in issuers
    ]
    form = SearchForm(request.GET or None, issuer_choices=issuer_choices, members=member)
    circulars = selectors.circulars_search(user=request.user, **form.filters())
    page = Paginator(circulars, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bulletin/circular_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "tasks": list(selectors.circular_tasks(user=request.user)[:20]) if member else [],
            "may_publish": services.may_publish(request.user),
        },
        # A filter that cannot be applied is the visitor's error, said on the page: a 400.
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def circular_create(request):
    issuers = services.issuer_organizations_of(request.user)
    market_wide = permissions.can(request.user, Action.PUBLISH_CIRCULAR)
    if not (market_wide or issuers):
        raise PermissionDenied
    form = CircularForm(
        request.POST or None, request.FILES or None, issuers=issuers, market_wide=market_wide
    )
    circular = save_form(
        request,
        form,
        lambda f: services.circular_publish(actor=request.user, **f.service_arguments()),
        success=lambda c: _("Circular %(number)s published.") % {"number": c.number},
    )
    if circular:
        return redirect("circular_detail", number=circular.number)
    return render(request, "bulletin/circular_form.html", {"form": form})


@_login_first_when_hidden
def circular_detail(request, number):
    circular = selectors.circular_get_visible(user=request.user, number=number)
    if permissions.is_member(request.user):
        receipts.circular_mark_read(user=request.user, circular=circular)
    own = selectors.receipts_of_user(user=request.user, circular=circular)
    acknowledging = selectors.acknowledging_organization_ids(request.user)
    for receipt in own:
        receipt.may_acknowledge = receipt.organization_id in acknowledging
    return render(
        request,
        "bulletin/circular_detail.html",
        {
            "circular": circular,
            "attachments": circular.attachments.all(),
            "receipts": own,
            "can_manage": permissions.can(
                request.user, Action.MANAGE_CIRCULAR, circular.issuer_organization
            ),
            "recipient_codes": [o.code for o in circular.recipients.order_by("code")]
            if circular.is_targeted
            else [],
        },
    )


@login_required
@require_POST
def circular_acknowledge(request, number):
    circular = selectors.circular_get_visible(user=request.user, number=number)
    organization = None
    code = request.POST.get("organization")
    if code:
        organization = Organization.objects.filter(code=code.upper()).first()
        if organization is None:
            raise Http404
    run_action(
        request,
        lambda: receipts.circular_acknowledge(
            actor=request.user, circular=circular, organization=organization
        ),
        success=_("Acknowledged. Thank you."),
    )
    return redirect("circular_detail", number=circular.number)


@login_required
@require_http_methods(["GET", "POST"])
def circular_edit(request, number):
    circular = _managed(request, number)
    form = CircularReviseForm(request.POST or None, request.FILES or None, circular=circular)
    if circular.is_withdrawn:
        messages.error(request, _("A withdrawn circular cannot be revised."))
        return redirect("circular_detail", number=circular.number)
    if save_form(
        request,
        form,
        lambda f: services.circular_revise(
            actor=request.user,
            circular=circular,
            changes=f.changes(),
            note=f.cleaned_data["note"],
            attachments=f.cleaned_data["attachments"],
        ),
        success=_("Circular revised."),
    ):
        return redirect("circular_detail", number=circular.number)
    return render(request, "bulletin/circular_edit.html", {"form": form, "circular": circular})


@login_required
@require_http_methods(["GET", "POST"])
def circular_withdraw(request, number):
    circular = _managed(request, number)
    form = WithdrawForm(request.POST or None)
    if save_form(
        request,
        form,
        lambda f: services.circular_withdraw(
            actor=request.user, circular=circular, reason=f.cleaned_data["reason"]
        ),
        success=_("Circular withdrawn."),
    ):
        return redirect("circular_detail", number=circular.number)
    return render(request, "bulletin/circular_withdraw.html", {"form": form, "circular": circular})


@_login_first_when_hidden
def circular_history(request, number):
    circular = selectors.circular_get_visible(user=request.user, number=number)
    return render(
        request,
        "bulletin/circular_history.html",
        {"circular": circular, "revisions": selectors.circular_revisions(circular=circular)},
    )


@login_required
def circular_progress(request, number):
    circular = _managed(request, number)
    progress = selectors.circular_progress(user=request.user, circular=circular)
    can_remind = bool(
        circular.requires_ack and not circular.is_withdrawn and (progress.read or progress.pending)
    )
    return render(
        request,
        "bulletin/circular_progress.html",
        {"circular": circular, "progress": progress, "can_remind": can_remind},
    )


def _csv_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


PROGRESS_COLUMNS = [
    "organization",
    "name_ja",
    "name_en",
    "state",
    "read_at",
    "read_by",
    "acknowledged_at",
    "acknowledged_by",
    "reminded_at",
    "reminders",
]


@login_required
def circular_progress_csv(request, number):
    circular = _managed(request, number)
    progress = selectors.circular_progress(user=request.user, circular=circular)
    rows = (
        [
            r.organization.code,
            r.organization.name_ja,
            r.organization.name_en,
            r.state,
            _csv_time(r.read_at),
            r.read_by.get_username() if r.read_by else "",
            _csv_time(r.acknowledged_at),
            r.acknowledger,
            _csv_time(r.reminded_at),
            r.reminder_count,
        ]
        for r in progress.acknowledged + progress.read + progress.pending
    )
    return csv_download(f"circular-{circular.number}.csv", PROGRESS_COLUMNS, rows)


@login_required
@require_POST
def circular_remind(request, number):
    circular = _managed(request, number)
    run_action(
        request,
        lambda: receipts.circular_remind(actor=request.user, circular=circular),
        success=lambda n: _("Reminder sent to %(n)s organizations.") % {"n": n},
    )
    return redirect("circular_progress", number=circular.number)


@_login_first_when_hidden
def circular_attachment(request, number, attachment_id):
    attachment = selectors.attachment_get_visible(
        user=request.user, number=number, attachment_id=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
