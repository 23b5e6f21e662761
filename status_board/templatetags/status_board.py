from django import template
from django.utils.html import format_html

from status_board.vocabulary import ICONS, label

register = template.Library()


@register.simple_tag
def status_badge(code: str):
    """The status as icon and text; the colour of .st-<code> is only an aid."""
    return format_html(
        '<span class="st st-{}"><span aria-hidden="true">{}</span>{}</span>',
        code,
        ICONS.get(code, "?"),
        label(code),
    )


@register.filter
def status_label(code: str) -> str:
    return label(code)


@register.simple_tag
def page_extras(organization=None):
    """What apps above the board put under its public pages (``providers.page_extras``)."""
    from status_board import providers

    return providers.page_extras(organization=organization)


@register.filter
def function_label(code: str) -> str:
    """A business function by its name in the page's language, never by its code."""
    from organizations.models import BusinessFunction

    function = BusinessFunction.objects.filter(code=code).first()
    return function.name if function is not None else code
