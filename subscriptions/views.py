"""Pages of subscriptions: sign up (no JavaScript), confirm, manage, one-click leave, privacy.

The sign-up form is also on the published board pages (static files without a CSRF token),
so its POST is CSRF-exempt: a forged sign-up only ever sends a confirmation e-mail. The
unsubscribe URL is POSTed by mail clients (RFC 8058) and is exempt for the same reason; it
is authorized by the personal token alone. Confirm and manage pages are normal forms.
"""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import limits, services
from .forms import CATEGORIES, ChoicesForm, SubscribeForm

MAX_BODY = 16 * 1024
SEGMENTS = ["all", "exchange", "bond", "otc"]


def _feeds():
    from django.urls import reverse

    from .feeds import segment_label

    return {
        "segments": [(s, segment_label(s), reverse("feed_banner", args=[s])) for s in SEGMENTS],
        "categories": [(c, label, reverse("feed_circulars", args=[c])) for c, label in CATEGORIES],
    }


def subscribe_box(organization=None) -> str:
    """The short sign-up form under the public boards (status_board's ``page_extras``)."""
    return mark_safe(  # noqa: S308 - rendered by our own template
        render_to_string("subscriptions/_subscribe_box.html", {"organization": organization})
    )


def _bad_request(request, message: str, *, status: int = 400, headers=None):
    response = render(request, "subscriptions/problem.html", {"message": message}, status=status)
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def too_many_message(exc: limits.RateLimited) -> str:
    return _("Too many sign-ups from here. Please try again in %(minutes)d minutes.") % {
        "minutes": exc.wait_minutes
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    initial = {}
    code = request.GET.get("organization", "")
    if request.method == "GET":
        if code:
            initial["organizations"] = [code]
        lang = getattr(request, "LANGUAGE_CODE", "ja") or "ja"
        initial["language"] = "en" if lang.startswith("en") else "ja"
        form = SubscribeForm(initial=initial)
        return render(request, "subscriptions/subscribe.html", {"form": form, **_feeds()})
    if len(request.body) > MAX_BODY:
        return _bad_request(request, _("The request is too large."))
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "subscriptions/subscribe.html", {"form": form, **_feeds()}, status=400
        )
    try:
        services.subscription_request(
            choices=form.cleaned_data, client=limits.client_address(request)
        )
    except limits.RateLimited as exc:
        return _bad_request(
            request,
            too_many_message(exc),
            status=429,
            headers={"Retry-After": str(exc.wait_seconds)},
        )
    return render(request, "subscriptions/check_inbox.html", status=202)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber = services.subscriber_by_token(token, purpose="confirm")
    except services.TokenInvalid:
        return _invalid_link(request)
    if request.method == "POST":
        try:
            subscriber = services.subscription_confirm(token=token)
        except services.TokenInvalid:
            return _invalid_link(request)
        return render(
            request,
            "subscriptions/confirmed.html",
            {"manage_url": services.manage_url(subscriber)},
        )
    return render(request, "subscriptions/confirm.html", {"subscriber": subscriber})


def _invalid_link(request):
    return _bad_request(
        request,
        _(
            "This link is not valid: it was already used, changed, or the subscription "
            "no longer exists."
        ),
    )


def _initial(subscriber) -> dict:
    return {
        "language": subscriber.language,
        "organizations": list(subscriber.organizations.values_list("code", flat=True)),
        "banner": subscriber.banner,
        "categories": subscriber.categories,
    }


@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        subscriber = services.subscriber_by_token(token, purpose="manage")
    except services.TokenInvalid:
        return _invalid_link(request)
    if subscriber.confirmed_at is None:
        return _invalid_link(request)
    status, saved = 200, False
    if request.method == "POST":
        if request.POST.get("action") == "leave":
            services.subscription_delete(token=token)
            return render(request, "subscriptions/left.html")
        form = ChoicesForm(request.POST)
        if form.is_valid():
            subscriber = services.subscription_update(token=token, choices=form.cleaned_data)
            saved = True
            form = ChoicesForm(initial=_initial(subscriber))
        else:
            status = 400
    else:
        form = ChoicesForm(initial=_initial(subscriber))
    return render(
        request,
        "subscriptions/manage.html",
        {"form": form, "subscriber": subscriber, "saved": saved, "token": token},
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058: a POST (``List-Unsubscribe=One-Click``) leaves at once; a GET only asks."""
    try:
        services.subscriber_by_token(token, purpose="manage")
    except services.TokenInvalid:
        return _invalid_link(request)
    if request.method == "POST":
        if not _one_click(request):
            return _bad_request(request, _("Use the button to unsubscribe."))
        try:
            services.subscription_delete(token=token)
        except services.TokenInvalid:  # left meanwhile, in another request
            return _invalid_link(request)
        return render(request, "subscriptions/left.html")
    return render(request, "subscriptions/unsubscribe.html", {"token": token})


def _one_click(request) -> bool:
    return request.POST.get("List-Unsubscribe") == "One-Click"


def privacy(request):
    return render(request, "subscriptions/privacy.html")
