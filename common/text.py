"""C0 control characters in text people type: refused by XML (the Atom feeds), PostgreSQL (NUL)
and most readers. Tab, newline and carriage return are ordinary text."""

import re

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL_CHARACTERS.search(text))


def strip_control_characters(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text)
