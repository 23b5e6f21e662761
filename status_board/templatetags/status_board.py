from django import template
from django.utils.safestring import mark_safe

from status_board import board_html
from status_board.vocabulary import label

register = template.Library()


@register.simple_tag
def status_badge(code: str):
    """The status as icon and text; the colour of .st-<code> is only an aid."""
    return mark_safe(board_html.badge(code))  # noqa: S308 — escaped by badge()


def _renderer(context) -> board_html.BoardHTML:
    # One per page rendered: its labels and badges are looked up once, not once a cell.
    renderer = context.render_context.get(board_html.BoardHTML)
    if renderer is None:
        renderer = context.render_context[board_html.BoardHTML] = board_html.BoardHTML()
    return renderer


@register.simple_tag(takes_context=True)
def board_cell(context, cell):
    """A function's status as on the public board (name, badge, times, message)."""
    return mark_safe(_renderer(context).cell(cell))  # noqa: S308 — escaped by BoardHTML


@register.simple_tag(takes_context=True)
def cell_confirmed(context, cell):
    """When a reporter last said the status still holds, if they did."""
    return mark_safe(_renderer(context).confirmed(cell))  # noqa: S308 — escaped by BoardHTML


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
