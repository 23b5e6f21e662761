"""C0 control characters in text people type: refused by XML (the Atom feeds), PostgreSQL (NUL)
and most readers. Tab, newline and carriage return are ordinary text."""

import re

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL_CHARACTERS.search(text))


def strip_control_characters(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text)


def lazy_interpolate(message, values: dict):
    """``message % values`` evaluated when shown, so a form's class-level help text follows the
    page's language (``gettext_lazy(...) % {...}`` at import time would freeze Japanese)."""
    from django.utils.functional import lazy

    return lazy(lambda: str(message) % values, str)()
