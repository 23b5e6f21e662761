from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import save_form

from . import permissions, selectors, services
from .forms import BcpProfileForm, ContactForm, SiteFormSet, WebhookForm
from .models import Contact, WebhookEndpoint
from .permissions import Action

PROFILE_REVIEW_OVERDUE_DAYS = 365


def _organization_for(request, code: str, action: Action):
    """The organization, 404 when invisible, 403 when visible but not allowed."""
    organization = selectors.organization_get_visible(user=request.user, code=code)
    permissions.require(request.user, action, organization)
    return organization


@login_required
def my_organizations(request):
    organizations = selectors.organizations_of_user(user=request.user).order_by("code")
    roles = permissions.organization_roles(request.user)
    rows = [
        (
            org,
            sorted(roles.get(org.pk, ())),
            [permissions.role_label(r) for r in sorted(roles.get(org.pk, ()))],
        )
        for org in organizations
    ]
    return render(request, "organizations/organization_mine.html", {"rows": rows})


@login_required
def contact_list(request, code):
    organization = _organization_for(request, code, Action.VIEW_CONTACTS)
    return render(
        request,
        "organizations/contact_list.html",
        {
            "organization": organization,
            "tree": selectors.contact_tree(user=request.user, organization=organization),
            "webhooks": organization.webhooks.all(),
        },
    )


def _edit_member_row(request, code, *, model, row_id, form_class, save, name, template, saved):
    """Add or change one row of the organization's emergency network (a contact, a webhook)."""
    organization = _organization_for(request, code, Action.MANAGE_CONTACTS)
    row = None
    if row_id is not None:
        row = get_object_or_404(model, pk=row_id, organization=organization)
    form = form_class(request.POST or None, instance=row, organization=organization)
    if save_form(
        request, form, lambda f: save(actor=request.user, **{name: f.instance}), success=saved
    ):
        return redirect("contact_list", code=organization.code)
    return render(request, template, {"organization": organization, "form": form, name: row})


def _remove_member_row(request, code, *, model, row_id, delete, name, removed):
    organization = _organization_for(request, code, Action.MANAGE_CONTACTS)
    row = get_object_or_404(model, pk=row_id, organization=organization)
    delete(actor=request.user, **{name: row})
    messages.success(request, removed)
    return redirect("contact_list", code=organization.code)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, code, contact_id=None):
    return _edit_member_row(
        request,
        code,
        model=Contact,
        row_id=contact_id,
        form_class=ContactForm,
        save=services.contact_save,
        name="contact",
        template="organizations/contact_form.html",
        saved=_("Contact saved."),
    )


@login_required
@require_POST
def contact_delete(request, code, contact_id):
    return _remove_member_row(
        request,
        code,
        model=Contact,
        row_id=contact_id,
        delete=services.contact_delete,
        name="contact",
        removed=_("Contact removed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, code, webhook_id=None):
    return _edit_member_row(
        request,
        code,
        model=WebhookEndpoint,
        row_id=webhook_id,
        form_class=WebhookForm,
        save=services.webhook_save,
        name="webhook",
        template="organizations/webhook_form.html",
        saved=_("Webhook saved."),
    )


@login_required
@require_POST
def webhook_delete(request, code, webhook_id):
    return _remove_member_row(
        request,
        code,
        model=WebhookEndpoint,
        row_id=webhook_id,
        delete=services.webhook_delete,
        name="webhook",
        removed=_("Webhook removed."),
    )


@login_required
def bcp_profile_detail(request, code):
    organization = _organization_for(request, code, Action.VIEW_PROFILE)
    profile = selectors.bcp_profile_of(user=request.user, organization=organization)
    return render(
        request,
        "organizations/bcp_profile_detail.html",
        {
            "organization": organization,
            "profile": profile,
            "functions": organization.organization_functions.select_related("function"),
            "sites": selectors.sites_of(user=request.user, organization=organization),
            "can_edit": permissions.can(request.user, Action.MANAGE_PROFILE, organization),
            "overdue": _review_overdue(profile),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bcp_profile_edit(request, code):
    organization = _organization_for(request, code, Action.MANAGE_PROFILE)
    profile = selectors.bcp_profile_of(user=request.user, organization=organization)
    functions = list(organization.organization_functions.select_related("function"))
    form = BcpProfileForm(request.POST or None, instance=profile, functions=functions)
    # A post without the sites' rows (an older form, a script) leaves the sites as they are.
    with_sites = request.method != "POST" or "sites-TOTAL_FORMS" in request.POST
    sites = SiteFormSet(
        request.POST if request.method == "POST" and with_sites else None,
        prefix="sites",
        initial=[
            {"kind": s.kind, "area": s.area_id, "label": s.label}
            for s in selectors.sites_of(user=request.user, organization=organization)
        ],
    )
    sites_valid = request.method != "POST" or not with_sites or sites.is_valid()

    def save(form):
        with transaction.atomic():
            profile = services.bcp_profile_update(
                actor=request.user,
                organization=organization,
                data=form.profile_data(),
                function_rtos=form.function_rtos(),
            )
            if with_sites:
                services.organization_sites_set(
                    actor=request.user, organization=organization, sites=sites.sites()
                )
        return profile

    if sites_valid and save_form(request, form, save, success=_("BCP profile saved.")):
        return redirect("bcp_profile_detail", code=organization.code)
    return render(
        request,
        "organizations/bcp_profile_form.html",
        {"organization": organization, "form": form, "sites": sites},
    )


def _review_overdue(profile) -> bool:
    reviewed = profile.plan_reviewed_on
    if reviewed is None:
        return True
    return (timezone.localdate() - reviewed).days > PROFILE_REVIEW_OVERDUE_DAYS


@login_required
def bcp_profile_overview(request):
    organizations = selectors.bcp_profiles_overview(user=request.user)
    rows = []
    for org in organizations:
        profile = getattr(org, "bcp_profile", None)
        rows.append((org, profile, profile is None or _review_overdue(profile)))
    return render(
        request,
        "organizations/bcp_profile_overview.html",
        {"rows": rows, "overdue_count": sum(1 for r in rows if r[2])},
    )


@login_required
def manage_home(request):
    permissions.require(request.user, Action.ADMINISTER)
    return render(request, "organizations/manage_home.html")
