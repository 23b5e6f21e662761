"""Form helpers shared by the apps' views: a service's answer shown on a form or as a message."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _said(success, result) -> str:
    return success(result) if callable(success) else success


def save_form(request, form, call: Callable, *, success):
    """A posted page form: when it is valid, ``call(form)`` runs the service.

    Returns what the service saved (``success`` — text, or a function of that — is shown as a
    message), or None when nothing was saved: the form's or the service's errors are on the form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form)
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, _said(success, result))
    return result


def run_action(request, call: Callable, *, success) -> bool:
    """A button (a small POST with no form to show again): the service's answer is a message."""
    try:
        result = call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, _said(success, result))
    return True
