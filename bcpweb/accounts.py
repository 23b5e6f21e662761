"""Second factor (TOTP): set-up for everyone, required for HQ and admin roles.

The first device of an HQ or admin account is enrolled only through a one-time link that an
administrator issued for it; a further device only on a session already verified with one.
"""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations import two_factor


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class PortalLoginView(auth_views.LoginView):
    """Log in; a reporter who was not going anywhere in particular (no ``next``, or the public
    board the header link came from) lands on the report form, everyone else where they were
    going."""

    redirect_authenticated_user = True

    def get_success_url(self):
        from urllib.parse import urlsplit

        from organizations import permissions

        target = self.get_redirect_url()
        if (not target or urlsplit(target).path == "/") and permissions.reporter_organization_ids(
            self.request.user
        ):
            return reverse("status_report_start")
        return target or self.get_default_redirect_url()


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol a (further) device: on a verified session, or for a first device where no
    enrolment link is needed (reporters, viewers)."""
    if user_has_device(request.user, confirmed=True):
        if not request.user.is_verified():
            # A password alone must not replace the second factor the account already has.
            messages.info(request, _("Enter a code from your current device first."))
            return redirect(f"{reverse('otp_verify')}?next={reverse('otp_setup')}")
    elif two_factor.enrolment_link_required(request.user):
        return render(request, "registration/otp_enrolment_needed.html", status=403)
    return _enrol(request, on_confirmed=lambda: True)


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request, secret):
    """Enrol through the one-time link an administrator issued for this very account."""
    if two_factor.enrolment_link_find(user=request.user, secret=secret) is None:
        return render(request, "registration/otp_enrolment_invalid.html", status=403)
    return _enrol(
        request,
        on_confirmed=lambda: two_factor.enrolment_link_redeem(
            user=request.user, secret=secret, address=request.META.get("REMOTE_ADDR")
        ),
    )


def _enrol(request, *, on_confirmed):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_token(form.cleaned_data["token"].strip()):
            form.add_error("token", _("That code is not valid. Check the time on your phone."))
        elif not on_confirmed():
            return render(request, "registration/otp_enrolment_invalid.html", status=403)
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000")
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": _base32(device), "next": _next_url(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Check the time on your phone."))
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


@login_required
def account(request):
    from organizations import permissions

    roles = [
        permissions.role_label(g)
        for g in sorted(request.user.groups.values_list("name", flat=True))
    ]
    org_roles = permissions.organization_roles(request.user)
    if org_roles:
        from organizations.models import Organization

        codes = dict(Organization.objects.filter(pk__in=org_roles).values_list("pk", "code"))
        for pk, names in sorted(org_roles.items(), key=lambda kv: codes.get(kv[0], "")):
            roles.extend(
                f"{permissions.role_label(n)} @ {codes.get(pk, pk)}" for n in sorted(names)
            )
    return render(
        request,
        "registration/account.html",
        {"roles": roles, "has_device": user_has_device(request.user, confirmed=True)},
    )
