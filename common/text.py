"""Plain text as people may type it: what can be stored, fed and shown."""

import re

# C0 control characters other than tab, line feed and carriage return: PostgreSQL refuses NUL
# in text, and XML (the Atom feeds) refuses all of them.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text: str) -> bool:
    return _CONTROL_CHARACTERS.search(text) is not None


def strip_control_characters(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text)
