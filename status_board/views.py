from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, download
from organizations import permissions
from organizations import selectors as org_selectors
from organizations.models import Organization
from organizations.permissions import Action

from . import bundles, drill_reports, exports, selectors, services, snapshots
from .forms import BoardFilterForm, FunctionStatusForm, ReportKindForm
from .responses import cached_response
from .services import ReportInput
from .undo import undo_offer
from .vocabulary import NOT_REPORTED, Source, is_impaired


def _is_authenticated(request) -> bool:
    # A logged-in visitor's session lives in PostgreSQL; when it is down, serve them the
    # public copy like everyone else rather than an error.
    try:
        return request.user.is_authenticated
    except DatabaseError:
        return False


@require_GET
def home(request):
    """The public board, served from the cache (never from PostgreSQL on the hot path)."""
    language = "en" if (request.LANGUAGE_CODE or "ja").startswith("en") else "ja"
    bundle, stale = snapshots.current()
    variant = bundle.variants[f"html:{language}"]
    if not _is_authenticated(request):
        return cached_response(
            request, bundle, variant, stale=stale, vary="Accept-Language, Cookie"
        )
    fragment = variant.fragment
    if stale:
        fragment = fragment.replace(bundles.STALE_MARK, variant.stale_notice)
    return render(
        request,
        "status_board/board_public.html",
        {
            "board_html": mark_safe(fragment),  # noqa: S308 — rendered by our own templates
            "fragment_etag": bundles.fragment_etag(variant.fragment),
            "board_refresh_seconds": settings.BOARD_REFRESH_SECONDS,
        },
    )


@require_GET
def board_fragment(request):
    """The public board's content alone, for the page's script to poll with If-None-Match:
    an unchanged board costs a 304. The same for everyone, so served from the cache."""
    language = "en" if (request.LANGUAGE_CODE or "ja").startswith("en") else "ja"
    bundle, stale = snapshots.current()
    page = bundle.variants[f"html:{language}"]
    body = page.fragment.encode()
    fragment = bundles.Variant(
        body=body,
        etag=bundles.fragment_etag(page.fragment),
        content_type="text/html; charset=utf-8",
        stale_notice=page.stale_notice,
    )
    return cached_response(request, bundle, fragment, stale=stale, vary="Accept-Language, Cookie")


@require_GET
def board_language(request):
    """Switch language with a plain link: the cached public page carries no CSRF token."""
    language = request.GET.get("language", "")
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if check_for_language(language) and language in ("ja", "en"):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


@require_GET
def organization_board(request, code):
    organization = org_selectors.organization_get_visible(user=request.user, code=code)
    return render(
        request,
        "status_board/organization_board.html",
        selectors.organization_page(request.user, organization),
    )


@login_required
@require_GET
def status_report_start(request):
    """Where "Report status" leads: the reporter's organization, or a choice of them."""
    ids = permissions.reporter_organization_ids(request.user)
    organizations = list(Organization.objects.filter(pk__in=ids, active=True).order_by("code"))
    if len(organizations) == 1:
        return redirect("status_report", code=organizations[0].code)
    return render(request, "status_board/report_start.html", {"organizations": organizations})


def _reportable(request, code) -> Organization:
    organization = org_selectors.organization_get_visible(user=request.user, code=code)
    permissions.require(request.user, Action.REPORT_STATUS, organization)
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def status_report(request, code):
    """Every function of the organization on one phone-friendly form."""
    organization = _reportable(request, code)
    row = next(
        iter(selectors.board_rows(user=request.user, everything=True, organization=organization)),
        None,
    )
    cells = row.cells if row else []
    kind_form = _report_kind_form(request, organization)
    forms = []
    for cell in cells:
        initial = {}
        if cell.status != NOT_REPORTED:
            initial = {
                "status": cell.status,
                "message": cell.message,
                "message_en": cell.message_en,
                "expected_recovery_at": cell.expected_recovery_at,
            }
        form = FunctionStatusForm(request.POST or None, prefix=cell.function.code, initial=initial)
        forms.append((cell, form))
    if request.method == "POST":
        kind_valid = kind_form is None or kind_form.is_valid()
        if all(form.is_valid() for _cell, form in forms) and kind_valid:
            entries = [
                ReportInput(function=cell.function.code, **form.cleaned_data)
                for cell, form in forms
                if form.cleaned_data.get("status")
            ]
            if not entries:
                messages.error(request, _("Choose a status for at least one function."))
            elif kind_form is not None and kind_form.drill is not None:
                done = _drill_report(request, organization, kind_form.drill, entries)
                if done:
                    return done
            else:
                try:
                    services.status_reports_create(
                        actor=request.user,
                        organization=organization,
                        entries=entries,
                        source=Source.WEB,
                        confirm_unchanged=True,
                    )
                except ValidationError as error:
                    messages.error(request, "; ".join(error.messages))
                else:
                    messages.success(
                        request,
                        _("Status of %(n)d functions reported.") % {"n": len(entries)},
                    )
                    return redirect("status_report", code=organization.code)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "status_board/report_form.html",
        {
            "organization": organization,
            "forms": forms,
            "kind_form": kind_form,
            "all_normal_kind_form": kind_form
            and ReportKindForm(drills=list(kind_form.drills.values()), prefix="all-normal"),
            "undo": undo_offer(request, organization),
        },
        status=400 if request.method == "POST" else 200,
    )


def _report_kind_form(request, organization, *, prefix=None):
    """The "drill or real?" question, while a drill the organization takes part in runs."""
    drills = drill_reports.drills_running_for(organization)
    if not drills:
        return None
    data = request.POST if request.method == "POST" else None
    return ReportKindForm(data, drills=drills, prefix=prefix)


def _drill_report(request, organization, drill, entries):
    """Post to the drill's board (never the real one); a redirect there, or None on errors."""
    try:
        reports = drill_reports.drill_reports_create(
            actor=request.user,
            organization=organization,
            drill_id=drill.id,
            entries=entries,
            source=Source.WEB,
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return None
    messages.success(
        request,
        _("Drill report (訓練): %(n)d functions, on the drill board only — not the real board.")
        % {"n": len(reports)},
    )
    if drill.board_url:
        return redirect(drill.board_url)
    return redirect("status_report", code=organization.code)


def _members_board_context(request):
    permissions.require(request.user, Action.VIEW_MEMBERS_AREA)
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    since = filters.get("since")
    rows = selectors.board_rows(
        user=request.user,
        kind=filters.get("kind") or None,
        segment=filters.get("segment") or None,
        not_reported_since=since or selectors.incident_started_at(),
    )
    if since:
        # "not reported since": only the functions nobody reported on after that time.
        for row in rows:
            row.cells = [c for c in row.cells if c.status == NOT_REPORTED]
        rows = [r for r in rows if r.cells]
    counts = selectors.counts_by_status(rows)
    status = filters.get("status")
    if status:
        for row in rows:
            row.cells = [c for c in row.cells if c.status == status]
        rows = [r for r in rows if r.cells]
    if filters.get("order") != "kind":
        rows = selectors.sort_by_severity(rows)
    breaches = sum(1 for r in rows for c in r.cells if c.rto_breached)
    impaired = sum(1 for r in rows for c in r.cells if is_impaired(c.status))
    return {
        "form": form,
        "rows": rows,
        "counts": counts,
        "breaches": breaches,
        "impaired": impaired,
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
def members_board(request):
    return render(request, "status_board/board_members.html", _members_board_context(request))


@login_required
@require_GET
def members_board_rows(request):
    """The part of the members' board that htmx polls (no full reload)."""
    return render(request, "status_board/_board_members_rows.html", _members_board_context(request))


@login_required
@require_GET
def members_board_csv(request):
    context = _members_board_context(request)
    return download(
        exports.board_csv(context["rows"]),
        filename="bcpweb-board.csv",
        content_type=CSV_CONTENT_TYPE,
    )


@login_required
@require_GET
def members_board_xlsx(request):
    context = _members_board_context(request)
    return download(
        exports.board_xlsx(context["rows"]),
        filename="bcpweb-board.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
